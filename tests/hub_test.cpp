// The hub end to end: a real lmp-hub on loopback with a temp data dir, driven by the real
// lmp binary (login, publish, run, pull, search, yank, tokens, ownership) and by plain HTTP.
// Bad uploads and faults are in hub_faults_test.cpp.
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <set>
#include <thread>

#include "hub_fixture.h"

namespace lmp::test {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using nlohmann::json;

constexpr const char* kAlicePassword = "alice-password-1";
constexpr const char* kBobPassword = "bob-password-22";

class HubTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    data_ = new TempDir();
    hub_ = new HubProcess(data_->path() / "hub");
    Outcome add = hub_->admin({"user", "add", "alice", "--admin", "--password-stdin"},
                              std::string(kAlicePassword) + "\n");
    ASSERT_EQ(add.exit_code, 0) << add.err;
    ASSERT_TRUE(hub_->start()) << hub_->last_error;
    auto c = hub_->client();
    json bob = {{"username", "bob"}, {"password", kBobPassword}};
    auto res = c.Post("/api/v1/register", bob.dump(), "application/json");
    ASSERT_TRUE(res);
    ASSERT_EQ(res->status, 201) << res->body;
  }
  static void TearDownTestSuite() {
    delete hub_;
    delete data_;
  }

  // A logged-in lmp home for `user`.
  fs::path login_home(const std::string& user, const std::string& password) {
    fs::path home = scratch_.path() / ("home-" + user + "-" + std::to_string(++homes_));
    Outcome o = lmp_with_hub(*hub_, home, {"login", hub_->url(), "-u", user, "--password-stdin"},
                             password + "\n");
    EXPECT_EQ(o.exit_code, 0) << o.err;
    return home;
  }
  fs::path fresh_home() { return scratch_.path() / ("home-" + std::to_string(++homes_)); }

  // `lmp publish` of opentrace's package under NAME:VERSION from `home`.
  Outcome publish(const fs::path& home, const std::string& name, const std::string& version,
                  const std::string& readme = "# test\n\nsome text\n") {
    fs::path dir =
        scratch_.path() / ("pub-" + name + "-" + version + "-" + std::to_string(++homes_));
    make_publish_dir(dir, opentrace_package_dir(), name, version, readme);
    return lmp_with_hub(*hub_, home, {"publish", dir.string()});
  }

  json get_json(const std::string& path) {
    auto c = hub_->client();
    auto res = c.Get(path);
    if (!res) return json();
    return json::parse(res->body, nullptr, false);
  }

  static TempDir* data_;
  static HubProcess* hub_;
  TempDir scratch_;
  int homes_ = 0;
};

TempDir* HubTest::data_ = nullptr;
HubProcess* HubTest::hub_ = nullptr;

TEST_F(HubTest, LoginWithWrongPasswordStoresNothing) {
  fs::path home = fresh_home();
  Outcome o = lmp_with_hub(*hub_, home, {"login", hub_->url(), "-u", "alice", "--password-stdin"},
                           "not-the-password\n");
  EXPECT_EQ(o.exit_code, 4) << o.err;
  EXPECT_NE(o.err.find("error:"), std::string::npos) << o.err;
  EXPECT_EQ(std::count(o.err.begin(), o.err.end(), '\n'), 1) << o.err;
  EXPECT_FALSE(fs::exists(home / "credentials.json"));
}

TEST_F(HubTest, LoginStoresATokenNotThePassword) {
  fs::path home = login_home("alice", kAlicePassword);
  fs::path creds = home / "credentials.json";
  ASSERT_TRUE(fs::exists(creds));
  struct stat st {};
  ASSERT_EQ(stat(creds.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  std::string text = read_file_text(creds);
  EXPECT_EQ(text.find(kAlicePassword), std::string::npos);
  EXPECT_NE(text.find(hub_->url()), std::string::npos) << text;
  Outcome out = lmp_with_hub(*hub_, home, {"logout", hub_->url()});
  EXPECT_EQ(out.exit_code, 0) << out.err;
  EXPECT_EQ(read_file_text(creds).find(hub_->url()), std::string::npos);
}

TEST_F(HubTest, PublishWithoutLoginSaysHowToLogIn) {
  Outcome o = publish(fresh_home(), "nologin", "1.0.0");
  EXPECT_EQ(o.exit_code, 4) << o.err;
  EXPECT_NE(o.err.find("lmp login"), std::string::npos) << o.err;
}

TEST_F(HubTest, PublishedPackageRunsAndPullsFromTheHub) {
  LMP_REQUIRE_BPF_OR_SKIP();
  fs::path home = login_home("alice", kAlicePassword);
  Outcome p = publish(home, "hubtrace", "1.0.0");
  ASSERT_EQ(p.exit_code, 0) << p.err;
  EXPECT_NE(p.out.find(hub_->url() + "/p/hubtrace/1.0.0"), std::string::npos) << p.out;

  // A user with an empty cache runs it by name: run pulls from the hub.
  TempDir files;
  fs::path target = files.path() / ("lmp-hub-unique-" + std::to_string(getpid()));
  fs::path user = fresh_home();
  Background run({"run", "hubtrace"},
                 {.env = {"LMP_HOME=" + user.string(), "LMP_REPOSITORY=" + hub_->url()}});
  bool seen = run.wait_for(
      [&](const std::string& out) { return out.find(target.string()) != std::string::npos; }, 30s,
      [&] { std::ofstream(target) << "x"; });
  Outcome r = run.stop();
  EXPECT_TRUE(seen) << r.err;
  EXPECT_EQ(r.exit_code, 0) << r.err;

  Outcome pull = lmp_with_hub(*hub_, fresh_home(), {"pull", "hubtrace:1.0.0"});
  EXPECT_EQ(pull.exit_code, 0) << pull.err;
}

TEST_F(HubTest, PublishedWasmPackagePullsBothFiles) {
  fs::path bootstrap = fs::path(LMP_BINARY).parent_path() / "catalog" / "bootstrap";
  fs::path from;
  for (const auto& entry : fs::directory_iterator(bootstrap))
    if (fs::exists(entry.path() / "app.wasm")) from = entry.path();
  ASSERT_FALSE(from.empty()) << "no app.wasm under " << bootstrap;
  fs::path dir = scratch_.path() / "wasmpkg";
  make_publish_dir(dir, from, "hubwasm", "0.1.0");
  fs::path home = login_home("alice", kAlicePassword);
  Outcome p = lmp_with_hub(*hub_, home, {"publish", dir.string()});
  ASSERT_EQ(p.exit_code, 0) << p.err;

  json pkg = get_json("/api/v1/packages/hubwasm");
  ASSERT_TRUE(pkg.is_object()) << pkg;
  std::set<std::string> names;
  for (const auto& f : pkg["versions"][0]["files"]) names.insert(f["name"].get<std::string>());
  EXPECT_TRUE(names.count("app.wasm") && names.count("package.json")) << pkg;

  fs::path user = fresh_home();
  Outcome help = lmp_with_hub(*hub_, user, {"run", "hubwasm", "-h"});
  EXPECT_EQ(help.exit_code, 0) << help.err;
  EXPECT_NE(help.out.find("Usage"), std::string::npos) << help.out;
}

TEST_F(HubTest, VersionsAreImmutable) {
  fs::path home = login_home("alice", kAlicePassword);
  ASSERT_EQ(publish(home, "immutable", "1.0.0").exit_code, 0);
  Outcome again = publish(home, "immutable", "1.0.0", "# different readme\n");
  EXPECT_EQ(again.exit_code, 9) << again.err;
  EXPECT_NE(again.err.find("immutable"), std::string::npos) << again.err;
  json pkg = get_json("/api/v1/packages/immutable");
  ASSERT_EQ(pkg["versions"].size(), 1u) << pkg;
}

TEST_F(HubTest, OnlyOwnersPublishANameAndOwnersCanAddOwners) {
  fs::path alice = login_home("alice", kAlicePassword);
  fs::path bob = login_home("bob", kBobPassword);
  ASSERT_EQ(publish(alice, "owned", "1.0.0").exit_code, 0);
  Outcome denied = publish(bob, "owned", "1.1.0");
  EXPECT_EQ(denied.exit_code, 4) << denied.err;
  EXPECT_NE(denied.err.find("owned"), std::string::npos) << denied.err;

  std::string token = hub_login(*hub_, "alice", kAlicePassword);
  auto c = hub_->client();
  auto res = c.Put("/api/v1/packages/owned/owners/bob", {{"Authorization", "Bearer " + token}}, "",
                   "application/json");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200) << res->body;
  EXPECT_EQ(publish(bob, "owned", "1.1.0").exit_code, 0);
  json owners = get_json("/api/v1/packages/owned/owners");
  EXPECT_EQ(owners["owners"], json({"alice", "bob"})) << owners;
}

TEST_F(HubTest, YankedVersionIsNeverLatestButStillPulls) {
  fs::path home = login_home("alice", kAlicePassword);
  ASSERT_EQ(publish(home, "yankme", "1.0.0").exit_code, 0);
  ASSERT_EQ(publish(home, "yankme", "1.1.0").exit_code, 0);
  Outcome y = lmp_with_hub(*hub_, home, {"yank", "yankme:1.1.0"});
  ASSERT_EQ(y.exit_code, 0) << y.err;

  json index = get_json("/index.json");
  EXPECT_EQ(index["packages"]["yankme"]["latest"], "1.0.0") << index["packages"]["yankme"];
  EXPECT_EQ(index["packages"]["yankme"]["versions"]["1.1.0"]["yanked"], true);

  fs::path user = fresh_home();
  Outcome latest = lmp_with_hub(*hub_, user, {"pull", "yankme"});
  EXPECT_EQ(latest.exit_code, 0) << latest.err;
  EXPECT_TRUE(fs::exists(user / "packages/yankme/1.0.0/package.json"));
  EXPECT_FALSE(fs::exists(user / "packages/yankme/1.1.0"));
  Outcome exact = lmp_with_hub(*hub_, user, {"pull", "yankme:1.1.0"});
  EXPECT_EQ(exact.exit_code, 0) << exact.err;
  EXPECT_NE(exact.err.find("yanked"), std::string::npos) << exact.err;

  Outcome undo = lmp_with_hub(*hub_, home, {"yank", "--undo", "yankme:1.1.0"});
  EXPECT_EQ(undo.exit_code, 0) << undo.err;
  EXPECT_EQ(get_json("/index.json")["packages"]["yankme"]["latest"], "1.1.0");
}

TEST_F(HubTest, TokensAreListedAndRevocable) {
  std::string token = hub_login(*hub_, "alice", kAlicePassword);
  ASSERT_FALSE(token.empty());
  httplib::Headers auth = {{"Authorization", "Bearer " + token}};
  auto c = hub_->client();
  auto created = c.Post("/api/v1/tokens", auth, R"({"name":"ci"})", "application/json");
  ASSERT_TRUE(created);
  ASSERT_EQ(created->status, 201) << created->body;
  json made = json::parse(created->body);
  std::string ci_token = made["token"];
  auto listed = c.Get("/api/v1/tokens", auth);
  ASSERT_TRUE(listed);
  EXPECT_NE(listed->body.find("\"ci\""), std::string::npos) << listed->body;
  EXPECT_EQ(listed->body.find(ci_token), std::string::npos) << "a listed token shows its secret";

  auto revoked = c.Delete("/api/v1/tokens/" + std::to_string(made["token_id"].get<long>()), auth);
  ASSERT_TRUE(revoked);
  EXPECT_EQ(revoked->status, 200) << revoked->body;
  auto me = c.Get("/api/v1/me", {{"Authorization", "Bearer " + ci_token}});
  ASSERT_TRUE(me);
  EXPECT_EQ(me->status, 401);
  json err = json::parse(me->body, nullptr, false);
  EXPECT_NE(err.value("hint", "").find("lmp login"), std::string::npos) << me->body;
  auto missing = c.Get("/api/v1/me");
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->status, 401);
}

TEST_F(HubTest, ExpiredTokenIsRefusedWithALoginHint) {
  std::string token = hub_login(*hub_, "alice", kAlicePassword);
  auto c = hub_->client();
  auto created = c.Post("/api/v1/tokens", {{"Authorization", "Bearer " + token}},
                        R"({"name":"brief","expires_in":1})", "application/json");
  ASSERT_TRUE(created);
  ASSERT_EQ(created->status, 201) << created->body;
  std::string brief = json::parse(created->body)["token"];
  auto fresh = c.Get("/api/v1/me", {{"Authorization", "Bearer " + brief}});
  ASSERT_TRUE(fresh);
  EXPECT_EQ(fresh->status, 200);
  std::this_thread::sleep_for(2100ms);
  auto expired = c.Get("/api/v1/me", {{"Authorization", "Bearer " + brief}});
  ASSERT_TRUE(expired);
  EXPECT_EQ(expired->status, 401);
  EXPECT_NE(json::parse(expired->body, nullptr, false).value("hint", "").find("lmp login"),
            std::string::npos)
      << expired->body;
  // lmp itself says the same with that token.
  fs::path dir = scratch_.path() / "expired-pub";
  make_publish_dir(dir, opentrace_package_dir(), "expiredpub", "1.0.0");
  Outcome o = run_lmp({"publish", dir.string()},
                      {.env = {"LMP_HOME=" + fresh_home().string(), "LMP_HUB=" + hub_->url(),
                               "LMP_HUB_TOKEN=" + brief}});
  EXPECT_EQ(o.exit_code, 4) << o.err;
  EXPECT_NE(o.err.find("lmp login"), std::string::npos) << o.err;
}

TEST_F(HubTest, SearchFindsPublishedPackagesThroughTheApi) {
  fs::path home = login_home("alice", kAlicePassword);
  ASSERT_EQ(publish(home, "zebrafinder", "2.0.0", "# zebra\n\nfinds striped horses\n").exit_code,
            0);
  Outcome s = lmp_with_hub(*hub_, fresh_home(), {"search", "zebrafinder"});
  EXPECT_EQ(s.exit_code, 0) << s.err;
  EXPECT_NE(s.out.find("zebrafinder"), std::string::npos) << s.out;
  json api = get_json("/api/v1/packages?q=striped");
  ASSERT_TRUE(api.is_object()) << api;
  ASSERT_FALSE(api["packages"].empty()) << api;
  EXPECT_EQ(api["packages"][0]["name"], "zebrafinder") << api;
}

TEST_F(HubTest, DownloadsAreCountedPerPull) {
  fs::path home = login_home("alice", kAlicePassword);
  ASSERT_EQ(publish(home, "counted", "1.0.0").exit_code, 0);
  constexpr int kPulls = 3;
  for (int i = 0; i < kPulls; ++i) {
    Outcome o = lmp_with_hub(*hub_, fresh_home(), {"pull", "counted"});
    ASSERT_EQ(o.exit_code, 0) << o.err;
  }
  json pkg;
  for (int tries = 0; tries < 50; ++tries) {  // counts are flushed once a second
    pkg = get_json("/api/v1/packages/counted");
    if (pkg.value("downloads", 0) == kPulls) break;
    std::this_thread::sleep_for(100ms);
  }
  EXPECT_EQ(pkg["downloads"], kPulls) << pkg;
  EXPECT_EQ(pkg["downloads_30d"], kPulls) << pkg;
  EXPECT_EQ(pkg["versions"][0]["downloads"], kPulls) << pkg;
  json days = get_json("/api/v1/packages/counted/downloads?days=30");
  ASSERT_EQ(days["days"].size(), 30u) << days;
  EXPECT_EQ(days["days"].back()["count"], kPulls) << days;
}

TEST_F(HubTest, StaticFilesHaveEtagsAndRanges) {
  fs::path home = login_home("alice", kAlicePassword);
  ASSERT_EQ(publish(home, "ranged", "1.0.0").exit_code, 0);
  auto c = hub_->client();
  auto full = c.Get("/ranged/1.0.0/package.json");
  ASSERT_TRUE(full);
  ASSERT_EQ(full->status, 200);
  std::string etag = full->get_header_value("ETag");
  ASSERT_FALSE(etag.empty());
  EXPECT_EQ(full->get_header_value("Content-Length"), std::to_string(full->body.size()));
  auto cached = c.Get("/ranged/1.0.0/package.json", {{"If-None-Match", etag}});
  ASSERT_TRUE(cached);
  EXPECT_EQ(cached->status, 304);
  auto part = c.Get("/ranged/1.0.0/package.json", {{"Range", "bytes=10-19"}});
  ASSERT_TRUE(part);
  EXPECT_EQ(part->status, 206);
  EXPECT_EQ(part->body, full->body.substr(10, 10));
  auto latest = c.Get("/ranged/package.json");
  ASSERT_TRUE(latest);
  EXPECT_EQ(latest->body, full->body);
  auto index = c.Get("/index.json");
  ASSERT_TRUE(index);
  auto index_again = c.Get("/index.json", {{"If-None-Match", index->get_header_value("ETag")}});
  ASSERT_TRUE(index_again);
  EXPECT_EQ(index_again->status, 304);
}

TEST_F(HubTest, ImportLoadsTheBundledCatalog) {
  fs::path catalog = fs::path(LMP_BINARY).parent_path() / "catalog";
  Outcome o = hub_->admin({"import", catalog.string(), "--owner", "alice"});
  ASSERT_EQ(o.exit_code, 0) << o.err;
  json tcp = get_json("/api/v1/packages/tcpstates");
  EXPECT_EQ(tcp.value("name", ""), "tcpstates") << tcp;
  Outcome again = hub_->admin({"import", catalog.string(), "--owner", "alice"});
  EXPECT_EQ(again.exit_code, 0) << again.err;
  EXPECT_NE(again.out.find("skipped") + again.err.find("skipped"), 2 * std::string::npos);
  Outcome info = lmp_with_hub(*hub_, fresh_home(), {"info", "tcpstates"});
  EXPECT_EQ(info.exit_code, 0) << info.err;
}

}  // namespace
}  // namespace lmp::test
