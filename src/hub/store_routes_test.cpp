// The store's routes over real HTTP on loopback: status codes, security headers, cookie
// sessions with rotation, CSRF refusals, tokens, yank, docs, feeds and assets.
#include <httplib.h>

#include <gtest/gtest.h>

#include <thread>

#include "hub/download_counter.h"
#include "hub/server.h"
#include "hub/sqlite_test_util.h"
#include "hub/store_session.h"

namespace lmp::hub {
namespace {

bool contains_store_routes(const std::string& text, std::string_view part) {
  return text.find(part) != std::string::npos;
}

// The value NAME=VALUE of a Set-Cookie header of `response`; empty when not set.
std::string set_cookie(const httplib::Result& response, std::string_view name) {
  std::size_t count = response->get_header_value_count("Set-Cookie");
  for (std::size_t i = 0; i < count; ++i) {
    std::string header = response->get_header_value("Set-Cookie", i);
    if (header.starts_with(std::string(name) + "=")) return header;
  }
  return {};
}

std::string cookie_pair(const std::string& set_cookie_header) {
  return set_cookie_header.substr(0, set_cookie_header.find(';'));
}

class StoreRoutesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto opened = SqliteStorage::open(dir_.path() / "hub.db");
    ASSERT_TRUE(opened) << opened.error().message;
    storage_ = std::move(*opened);
    auto blobs = BlobStore::open(dir_.path());
    ASSERT_TRUE(blobs);
    blobs_ = std::make_unique<BlobStore>(std::move(*blobs));
    accounts_ = std::make_unique<Accounts>(*storage_);
    downloads_ = std::make_unique<DownloadCounter>(*storage_);
    hub_ = std::make_unique<HubContext>(
        HubContext{{}, *storage_, *blobs_, *accounts_, *downloads_, ""});
    auto alice = accounts_->register_user("alice", "alice@example.org", "password1");
    auto bob = accounts_->register_user("bob", "", "password2");
    ASSERT_TRUE(alice && bob);
    alice_ = *alice;
    testing::VersionSpec spec;
    spec.readme = "# tcpstates\n\nTraces TCP state changes.\n";
    spec.files = {{"package.json", testing::fake_sha('b'), 100}};
    ASSERT_TRUE(storage_->publish(testing::make_version("tcpstates", "1.0.0", spec), alice_.id));
    ASSERT_TRUE(storage_->publish(testing::make_version("tcpstates", "1.1.0", spec), alice_.id));

    add_store_routes(server_, *hub_);
    port_ = server_.bind_to_any_port("127.0.0.1");
    ASSERT_GT(port_, 0);
    hub_->public_url = "http://127.0.0.1:" + std::to_string(port_);
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    while (!server_.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }

  void TearDown() override {
    server_.stop();
    if (thread_.joinable()) thread_.join();
  }

  httplib::Client client() { return httplib::Client("127.0.0.1", port_); }

  // An anonymous visit's CSRF cookie and token.
  std::string anonymous_csrf(std::string& cookie) {
    auto page = client().Get("/login");
    cookie = cookie_pair(set_cookie(page, kCsrfCookie));
    return cookie.substr(cookie.find('=') + 1);
  }

  // Logs in; returns the "lmp_session=..." pair and sets `csrf` to the session's token.
  std::string log_in(const std::string& user, const std::string& password, std::string& csrf) {
    std::string anon;
    std::string token = anonymous_csrf(anon);
    auto response = client().Post(
        "/login", {{"Cookie", anon}},
        httplib::Params{{"username", user}, {"password", password}, {"csrf_token", token}});
    EXPECT_EQ(response->status, 303);
    std::string session = cookie_pair(set_cookie(response, kSessionCookie));
    auto found = accounts_->find_session(session.substr(session.find('=') + 1));
    csrf = found && *found ? (*found)->session.csrf_token : "";
    return session;
  }

  testing::TempDir dir_;
  std::unique_ptr<SqliteStorage> storage_;
  std::unique_ptr<BlobStore> blobs_;
  std::unique_ptr<Accounts> accounts_;
  std::unique_ptr<DownloadCounter> downloads_;
  std::unique_ptr<HubContext> hub_;
  User alice_;
  httplib::Server server_;
  std::thread thread_;
  int port_ = 0;
};

TEST_F(StoreRoutesTest, PagesAnswerWithStatusAndSecurityHeaders) {
  struct Case {
    const char* path;
    int status;
    const char* needle;
  };
  const Case cases[] = {
      {"/", 200, "data-testid=\"package-card\""},
      {"/?q=tcp&sort=updated&page=1", 200, "tcpstates"},
      {"/?q=nothing-matches-this", 200, "No package matches."},
      {"/?category=networking&type=kprobe", 200, "tcpstates"},
      {"/p/tcpstates", 200, "lmp run tcpstates"},
      {"/p/tcpstates?tab=versions", 200, "data-testid=\"versions-table\""},
      {"/p/tcpstates/1.0.0", 200, "lmp pull tcpstates:1.0.0"},
      {"/p/tcpstates/9.9.9", 404, "Version not found"},
      {"/p/nosuchpackage", 404, "Package not found"},
      {"/u/alice", 200, "tcpstates"},
      {"/u/nobody", 404, "No such user"},
      {"/login", 200, "name=\"csrf_token\""},
      {"/register", 200, "Create an account"},
      {"/docs", 200, "data-testid=\"doc\""},
      {"/docs/run", 200, "data-testid=\"doc\""},
      {"/docs/nope", 404, "No such page"},
  };
  for (const Case& c : cases) {
    auto response = client().Get(c.path);
    ASSERT_TRUE(response) << c.path;
    EXPECT_EQ(response->status, c.status) << c.path;
    EXPECT_TRUE(contains_store_routes(response->body, c.needle)) << c.path;
    EXPECT_EQ(response->get_header_value("Content-Security-Policy"), kStoreCsp) << c.path;
    EXPECT_EQ(response->get_header_value("X-Content-Type-Options"), "nosniff");
    EXPECT_EQ(response->get_header_value("Referrer-Policy"), "same-origin");
    EXPECT_EQ(response->get_header_value("Content-Type"), "text/html; charset=utf-8");
  }
}

TEST_F(StoreRoutesTest, SettingsNeedsASession) {
  auto response = client().Get("/settings");
  EXPECT_EQ(response->status, 303);
  std::string location = response->get_header_value("Location");
  EXPECT_TRUE(location.starts_with("/login?next=")) << location;
  EXPECT_TRUE(location.ends_with("settings")) << location;
}

TEST_F(StoreRoutesTest, PostsWithoutAValidCsrfTokenAreRefused) {
  std::string anon;
  std::string token = anonymous_csrf(anon);
  ASSERT_FALSE(token.empty());
  httplib::Params login = {{"username", "alice"}, {"password", "password1"}};
  EXPECT_EQ(client().Post("/login", {{"Cookie", anon}}, login)->status, 403);
  login.emplace("csrf_token", "wrong" + token.substr(5));
  EXPECT_EQ(client().Post("/login", {{"Cookie", anon}}, login)->status, 403);
  // The right token without its cookie is refused too.
  httplib::Params without_cookie = {
      {"username", "alice"}, {"password", "password1"}, {"csrf_token", token}};
  EXPECT_EQ(client().Post("/login", without_cookie)->status, 403);

  std::string csrf;
  std::string session = log_in("alice", "password1", csrf);
  auto yank = client().Post("/p/tcpstates/1.1.0/yank", {{"Cookie", session}},
                            httplib::Params{{"csrf_token", token}});
  EXPECT_EQ(yank->status, 403);
  EXPECT_TRUE(contains_store_routes(yank->body, "Form expired"));
}

TEST_F(StoreRoutesTest, LoginSetsARotatedHttpOnlySessionCookie) {
  std::string anon;
  std::string token = anonymous_csrf(anon);
  auto wrong = client().Post(
      "/login", {{"Cookie", anon}},
      httplib::Params{{"username", "alice"}, {"password", "nope-nope"}, {"csrf_token", token}});
  EXPECT_EQ(wrong->status, 401);
  EXPECT_TRUE(contains_store_routes(wrong->body, "Wrong user name or password."));
  EXPECT_TRUE(set_cookie(wrong, kSessionCookie).empty());

  auto ok = client().Post("/login", {{"Cookie", anon}},
                          httplib::Params{{"username", "alice"},
                                          {"password", "password1"},
                                          {"csrf_token", token},
                                          {"next", "/settings"}});
  EXPECT_EQ(ok->status, 303);
  EXPECT_EQ(ok->get_header_value("Location"), "/settings");
  std::string header = set_cookie(ok, kSessionCookie);
  EXPECT_TRUE(contains_store_routes(header, "; HttpOnly"));
  EXPECT_TRUE(contains_store_routes(header, "; SameSite=Lax"));
  EXPECT_TRUE(contains_store_routes(header, "; Path=/"));
  EXPECT_FALSE(contains_store_routes(header, "; Secure"));  // the hub is plain http here
  std::string first = cookie_pair(header);

  auto settings = client().Get("/settings", {{"Cookie", first}});
  EXPECT_EQ(settings->status, 200);
  EXPECT_TRUE(contains_store_routes(settings->body, "Signed in as"));

  // Logging in again (from the same browser) gives a new session and ends the old one.
  std::string csrf;
  std::string second = log_in("alice", "password1", csrf);
  EXPECT_NE(first, second);
  auto again = client().Post(
      "/login", {{"Cookie", first}},
      httplib::Params{{"username", "alice"},
                      {"password", "password1"},
                      {"csrf_token", [&] {
                         auto s = accounts_->find_session(first.substr(first.find('=') + 1));
                         return s && *s ? (*s)->session.csrf_token : "";
                       }()}});
  EXPECT_EQ(again->status, 303);
  std::string third = cookie_pair(set_cookie(again, kSessionCookie));
  EXPECT_NE(third, first);
  EXPECT_EQ(client().Get("/settings", {{"Cookie", first}})->status, 303);  // ended
  EXPECT_EQ(client().Get("/settings", {{"Cookie", third}})->status, 200);

  // A next URL that leaves the site is ignored.
  auto offsite = client().Post("/login", {{"Cookie", anon}},
                               httplib::Params{{"username", "alice"},
                                               {"password", "password1"},
                                               {"csrf_token", token},
                                               {"next", "//evil.example/"}});
  EXPECT_EQ(offsite->get_header_value("Location"), "/");
}

TEST_F(StoreRoutesTest, TokensAreCreatedShownOnceAndRevoked) {
  std::string csrf;
  std::string session = log_in("alice", "password1", csrf);
  auto created = client().Post("/settings/tokens", {{"Cookie", session}},
                               httplib::Params{{"token_name", "laptop"}, {"csrf_token", csrf}});
  EXPECT_EQ(created->status, 201);
  EXPECT_TRUE(contains_store_routes(created->body, "data-testid=\"new-token\">lmp_"));
  EXPECT_EQ(created->get_header_value("Cache-Control"), "no-store");
  auto tokens = storage_->list_tokens(alice_.id);
  ASSERT_TRUE(tokens);
  ASSERT_EQ(tokens->size(), 1u);

  auto page = client().Get("/settings", {{"Cookie", session}});
  EXPECT_FALSE(contains_store_routes(page->body, "data-testid=\"new-token\""));
  EXPECT_TRUE(contains_store_routes(page->body, "laptop"));

  std::string path = "/settings/tokens/" + std::to_string(tokens->front().id) + "/revoke";
  auto revoked = client().Post(path, {{"Cookie", session}}, httplib::Params{{"csrf_token", csrf}});
  EXPECT_EQ(revoked->status, 303);
  EXPECT_TRUE(storage_->list_tokens(alice_.id)->empty());
  auto unknown = client().Post(path, {{"Cookie", session}}, httplib::Params{{"csrf_token", csrf}});
  EXPECT_EQ(unknown->status, 404);

  auto empty_name = client().Post("/settings/tokens", {{"Cookie", session}},
                                  httplib::Params{{"token_name", ""}, {"csrf_token", csrf}});
  EXPECT_EQ(empty_name->status, 400);
}

TEST_F(StoreRoutesTest, OwnersYankAndUnyank) {
  std::string bob_csrf;
  std::string bob = log_in("bob", "password2", bob_csrf);
  auto page = client().Get("/p/tcpstates?tab=versions", {{"Cookie", bob}});
  EXPECT_FALSE(contains_store_routes(page->body, "data-testid=\"yank-1.1.0\""));
  auto refused = client().Post("/p/tcpstates/1.1.0/yank", {{"Cookie", bob}},
                               httplib::Params{{"csrf_token", bob_csrf}});
  EXPECT_EQ(refused->status, 403);

  std::string csrf;
  std::string alice = log_in("alice", "password1", csrf);
  page = client().Get("/p/tcpstates?tab=versions", {{"Cookie", alice}});
  EXPECT_TRUE(contains_store_routes(page->body, "data-testid=\"yank-1.1.0\""));
  auto yanked = client().Post("/p/tcpstates/1.1.0/yank", {{"Cookie", alice}},
                              httplib::Params{{"csrf_token", csrf}});
  EXPECT_EQ(yanked->status, 303);
  EXPECT_EQ(yanked->get_header_value("Location"), "/p/tcpstates?tab=versions");
  auto record = storage_->package("tcpstates", 0);
  ASSERT_TRUE(record && *record);
  EXPECT_TRUE((*record)->versions.front().yanked);
  // The latest is now 1.0.0.
  EXPECT_TRUE(
      contains_store_routes(client().Get("/p/tcpstates")->body, "lmp pull tcpstates:1.0.0"));

  auto unyanked = client().Post("/p/tcpstates/1.1.0/unyank", {{"Cookie", alice}},
                                httplib::Params{{"csrf_token", csrf}});
  EXPECT_EQ(unyanked->status, 303);
  EXPECT_FALSE((*storage_->package("tcpstates", 0))->versions.front().yanked);

  auto anonymous = client().Post("/p/tcpstates/1.1.0/yank");
  EXPECT_EQ(anonymous->status, 403);  // no CSRF token at all
}

TEST_F(StoreRoutesTest, RegisterLogsInAndLogoutEnds) {
  std::string anon;
  std::string token = anonymous_csrf(anon);
  auto bad = client().Post(
      "/register", {{"Cookie", anon}},
      httplib::Params{{"username", "Bad Name"}, {"password", "password3"}, {"csrf_token", token}});
  EXPECT_EQ(bad->status, 400);
  auto taken = client().Post(
      "/register", {{"Cookie", anon}},
      httplib::Params{{"username", "alice"}, {"password", "password3"}, {"csrf_token", token}});
  EXPECT_EQ(taken->status, 409);
  auto created = client().Post(
      "/register", {{"Cookie", anon}},
      httplib::Params{{"username", "carol"}, {"password", "password3"}, {"csrf_token", token}});
  EXPECT_EQ(created->status, 303);
  EXPECT_EQ(created->get_header_value("Location"), "/settings");
  std::string session = cookie_pair(set_cookie(created, kSessionCookie));
  auto found = accounts_->find_session(session.substr(session.find('=') + 1));
  ASSERT_TRUE(found && *found);
  std::string csrf = (*found)->session.csrf_token;

  auto logout =
      client().Post("/logout", {{"Cookie", session}}, httplib::Params{{"csrf_token", csrf}});
  EXPECT_EQ(logout->status, 303);
  EXPECT_TRUE(contains_store_routes(set_cookie(logout, kSessionCookie), "Max-Age=0"));
  EXPECT_EQ(client().Get("/settings", {{"Cookie", session}})->status, 303);

  hub_->settings.registration_open = false;
  EXPECT_EQ(client().Get("/register")->status, 403);
  auto closed = client().Post(
      "/register", {{"Cookie", anon}},
      httplib::Params{{"username", "dave"}, {"password", "password4"}, {"csrf_token", token}});
  EXPECT_EQ(closed->status, 403);
}

TEST_F(StoreRoutesTest, FeedsAndAssets) {
  auto atom = client().Get("/feed.atom");
  EXPECT_EQ(atom->status, 200);
  EXPECT_EQ(atom->get_header_value("Content-Type"), "application/atom+xml; charset=utf-8");
  EXPECT_TRUE(contains_store_routes(atom->body, "/p/tcpstates/1.1.0</id>"));
  auto json = client().Get("/feed.json");
  EXPECT_EQ(json->status, 200);
  EXPECT_TRUE(contains_store_routes(json->body, "\"items\""));

  auto css = client().Get("/static/store.css");
  EXPECT_EQ(css->status, 200);
  EXPECT_EQ(css->get_header_value("Content-Type"), "text/css; charset=utf-8");
  EXPECT_EQ(css->get_header_value("Cache-Control"), "public, max-age=31536000, immutable");
  std::string etag = css->get_header_value("ETag");
  EXPECT_EQ(etag.size(), 66u);
  EXPECT_EQ(client().Get("/static/store.css", {{"If-None-Match", etag}})->status, 304);
  EXPECT_EQ(client().Get("/static/store.js")->get_header_value("Content-Type"),
            "text/javascript; charset=utf-8");
  EXPECT_EQ(client().Get("/static/nope.css")->status, 404);
  EXPECT_EQ(client().Get("/favicon.ico")->get_header_value("Content-Type"), "image/svg+xml");
}

TEST_F(StoreRoutesTest, FirstLoadStaysSmall) {
  std::size_t total = client().Get("/p/tcpstates")->body.size();
  for (const char* asset : {"/static/store.css", "/static/store.js", "/static/icon.svg",
                            "/static/copy.svg", "/static/download.svg"}) {
    total += client().Get(asset)->body.size();
  }
  EXPECT_LT(total, 100u * 1024);
}

}  // namespace
}  // namespace lmp::hub
