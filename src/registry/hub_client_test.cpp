#include "registry/hub_client.h"

#include <cstdlib>
#include <functional>
#include <vector>

#include <gtest/gtest.h>

#include "registry/credentials.h"
#include "registry/fake_transport_for_test.h"

namespace lmp::registry {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

using fake::answer;
using fake::FakeTransport;

const char* kHubInfo = R"({"server":"lmp-hub","version":"0.1.0","api":1,"registration":true})";

TEST(HubClient, RecognisesHubUrls) {
  EXPECT_TRUE(is_hub_url("http://127.0.0.1:8080"));
  EXPECT_TRUE(is_hub_url("HTTPS://hub.example.org/"));
  EXPECT_FALSE(is_hub_url("ghcr.io"));
  EXPECT_FALSE(is_hub_url("localhost:5000"));
  EXPECT_FALSE(is_hub_url("file:///srv/repo"));
  EXPECT_EQ(normalize_hub_url("HTTP://Hub.Example.org:8080//"), "http://hub.example.org:8080");
  EXPECT_EQ(normalize_hub_url("https://hub.example.org/Sub/"), "https://hub.example.org/Sub");
}

TEST(HubClient, InfoTellsHubsFromOtherServers) {
  FakeTransport t;
  t.handler = [](const HttpRequest& r) {
    EXPECT_EQ(r.method, "GET");
    if (r.url == "http://hub/api/v1/info") return answer(200, kHubInfo);
    if (r.url == "http://other/api/v1/info") return answer(200, R"({"server":"nginx"})");
    return answer(404, "<html>not found</html>");
  };
  auto info = HubClient(t, "http://hub/").info();
  ASSERT_TRUE(info) << info.error().message;
  EXPECT_EQ(info->version, "0.1.0");
  EXPECT_EQ(info->api, 1);
  EXPECT_TRUE(info->registration);
  for (const char* url : {"http://other", "http://static"}) {
    auto not_hub = HubClient(t, url).info();
    ASSERT_FALSE(not_hub);
    EXPECT_EQ(not_hub.error().code, ExitCode::kNotFound);
    EXPECT_EQ(not_hub.error().message, std::string(url) + " is not an lmp hub");
  }
}

TEST(HubClient, HubRepositoriesAreAskedOncePerProcess) {
  FakeTransport t;
  t.handler = [](const HttpRequest& r) {
    return r.url == "http://detect-hub/api/v1/info" ? answer(200, kHubInfo) : answer(404);
  };
  EXPECT_TRUE(is_hub_repository(t, "http://detect-hub/"));
  EXPECT_TRUE(is_hub_repository(t, "http://detect-hub"));
  EXPECT_FALSE(is_hub_repository(t, "http://detect-static"));
  EXPECT_FALSE(is_hub_repository(t, "http://detect-static/"));
  EXPECT_FALSE(is_hub_repository(t, "file:///srv/catalog"));
  EXPECT_EQ(t.seen.size(), 2u);
}

TEST(HubClient, LoginSendsNameAndPasswordAndReturnsTheToken) {
  FakeTransport t;
  t.handler = [](const HttpRequest& r) {
    EXPECT_EQ(r.method, "POST");
    EXPECT_EQ(r.url, "http://hub/api/v1/login");
    EXPECT_EQ(r.headers.at("Content-Type"), "application/json");
    EXPECT_FALSE(r.headers.contains("Authorization"));
    json body = json::parse(r.body);
    if (body["password"] != "password1") return answer(401, R"({"error":"wrong password"})");
    EXPECT_EQ(body["username"], "alice");
    EXPECT_EQ(body["token_name"], "lmp on box");
    return answer(200, R"({"token":"lmp_secret","token_id":3,"user":"alice"})");
  };
  HubClient hub(t, "http://hub");
  auto ok = hub.login("alice", "password1", "lmp on box");
  ASSERT_TRUE(ok) << ok.error().message;
  EXPECT_EQ(ok->token, "lmp_secret");
  EXPECT_EQ(ok->user, "alice");

  auto wrong = hub.login("alice", "nope", "lmp on box");
  ASSERT_FALSE(wrong);
  EXPECT_EQ(wrong.error().code, ExitCode::kPermission);
  EXPECT_EQ(wrong.error().message, "login to http://hub failed: wrong user name or password");
  EXPECT_EQ(wrong.error().hint, "nothing was stored");

  t.handler = [](const HttpRequest&) {
    return answer(429, R"({"error":"too many failed logins"})", {{"retry-after", "600"}});
  };
  auto limited = hub.login("alice", "x", "t");
  ASSERT_FALSE(limited);
  EXPECT_EQ(limited.error().code, ExitCode::kPermission);
  EXPECT_EQ(limited.error().message, "login to http://hub: too many failed logins");
  EXPECT_EQ(limited.error().hint, "try again in 10 minutes");
}

TEST(HubClient, PublishSendsOnePartPerFile) {
  FakeTransport t;
  std::vector<HubFile> files = {{"README.md", "# demo\n"},
                                {"app.wasm", std::string("\0asm\1\0\0\0", 8)},
                                {"config.json", R"({"name":"demo"})"}};
  t.handler = [](const HttpRequest&) {
    return answer(201, R"({"name":"demo","version":"1.0.0","url":"http://hub/p/demo/1.0.0",
                           "files":[]})");
  };
  auto published = HubClient(t, "http://hub", "lmp_tok").publish(files, "uploading demo");
  ASSERT_TRUE(published) << published.error().message;
  EXPECT_EQ(published->url, "http://hub/p/demo/1.0.0");
  EXPECT_EQ(published->name, "demo");
  EXPECT_EQ(published->version, "1.0.0");

  ASSERT_EQ(t.seen.size(), 1u);
  const HttpRequest& r = t.seen[0];
  EXPECT_EQ(r.method, "POST");
  EXPECT_EQ(r.url, "http://hub/api/v1/packages");
  EXPECT_EQ(r.headers.at("Authorization"), "Bearer lmp_tok");
  EXPECT_EQ(r.upload_label, "uploading demo");
  const std::string& type = r.headers.at("Content-Type");
  ASSERT_TRUE(type.starts_with("multipart/form-data; boundary="));
  std::string boundary = type.substr(type.find('=') + 1);
  EXPECT_EQ(r.body, multipart_body(files, boundary));
  std::string expected = "--" + boundary +
                         "\r\nContent-Disposition: form-data; name=\"app.wasm\"; "
                         "filename=\"app.wasm\"\r\nContent-Type: application/wasm\r\n\r\n" +
                         std::string("\0asm\1\0\0\0", 8) + "\r\n--" + boundary;
  EXPECT_NE(r.body.find(expected), std::string::npos);
  EXPECT_NE(r.body.find("name=\"README.md\"; filename=\"README.md\"\r\nContent-Type: "
                        "text/markdown\r\n\r\n# demo\n\r\n"),
            std::string::npos);
  EXPECT_TRUE(r.body.ends_with("--" + boundary + "--\r\n"));
  EXPECT_EQ(r.body.find("--" + boundary), 0u);
}

TEST(HubClient, BoundaryNeverOccursInTheFiles) {
  std::vector<HubFile> files = {{"a", "lmp-boundary-"}};
  for (int i = 0; i < 20; ++i) {
    std::string b = multipart_boundary(files);
    EXPECT_GE(b.size(), 40u);
    EXPECT_EQ(files[0].content.find(b), std::string::npos);
  }
}

TEST(HubClient, ErrorsMapToExitCodes) {
  struct Case {
    long status;
    ExitCode code;
  };
  for (auto [status, code] : {Case{400, ExitCode::kBadPackage}, Case{401, ExitCode::kPermission},
                              Case{403, ExitCode::kPermission}, Case{404, ExitCode::kNotFound},
                              Case{409, ExitCode::kConflict}, Case{413, ExitCode::kBadPackage},
                              Case{500, ExitCode::kNetwork}, Case{502, ExitCode::kNetwork}}) {
    Error e = hub_error(answer(status, R"({"error":"it broke","hint":"fix it"})"), "publishing",
                        "http://hub");
    EXPECT_EQ(e.code, code) << status;
    EXPECT_EQ(e.message, "publishing: it broke") << status;
    EXPECT_EQ(e.hint, status == 401 ? "run 'lmp login http://hub'" : "fix it") << status;
  }
  Error plain = hub_error(answer(502, "<html>bad gateway</html>"), "searching", "http://hub");
  EXPECT_EQ(plain.message, "searching: HTTP 502");
  EXPECT_EQ(plain.code, ExitCode::kNetwork);

  // A hub's words reach the terminal escaped.
  Error evil = hub_error(answer(400, "{\"error\":\"x\\u001b]0;t\\u0007\",\"hint\":\"\\u001b[2J\"}"),
                         "publishing", "http://hub");
  EXPECT_EQ(evil.message, "publishing: x\\x1b]0;t\\x07");
  EXPECT_EQ(evil.hint, "\\x1b[2J");

  FakeTransport t;
  t.handler = [](const HttpRequest&) {
    return answer(409, R"({"error":"demo 1.0.0 exists","hint":"versions are immutable"})");
  };
  auto conflict = HubClient(t, "http://hub", "tok").publish({{"config.json", "{}"}});
  ASSERT_FALSE(conflict);
  EXPECT_EQ(conflict.error().code, ExitCode::kConflict);
  EXPECT_EQ(conflict.error().message, "publishing to http://hub: demo 1.0.0 exists");
}

TEST(HubClient, YankAndUnyank) {
  FakeTransport t;
  t.handler = [](const HttpRequest&) { return answer(200, "{}"); };
  HubClient hub(t, "http://hub", "tok");
  ASSERT_TRUE(hub.yank("demo", "1.0.0", false));
  ASSERT_TRUE(hub.yank("demo", "1.0.0-rc.1", true));
  ASSERT_EQ(t.seen.size(), 2u);
  EXPECT_EQ(t.seen[0].method, "PUT");
  EXPECT_EQ(t.seen[0].url, "http://hub/api/v1/packages/demo/versions/1.0.0/yank");
  EXPECT_EQ(t.seen[0].headers.at("Authorization"), "Bearer tok");
  EXPECT_EQ(t.seen[1].method, "DELETE");
  EXPECT_EQ(t.seen[1].url, "http://hub/api/v1/packages/demo/versions/1.0.0-rc.1/yank");
}

TEST(HubClient, SearchAndPackageDetails) {
  FakeTransport t;
  t.handler = [](const HttpRequest& r) {
    if (r.url.starts_with("http://hub/api/v1/packages?"))
      return answer(200, R"({"total":41,"page":1,"per_page":20,"packages":[
        {"name":"opensnoop","latest":"1.2.0","description":"trace opens","summary":"",
         "tags":["fs"],"downloads":17}]})");
    return answer(200, R"({"name":"opensnoop","latest":"1.2.0","owners":["alice","bob"],
      "downloads":20,"downloads_30d":4,"versions":[
        {"version":"1.2.0","published":"2026-12-01T00:00:00Z","publisher":"alice",
         "yanked":false,"downloads":15},
        {"version":"1.0.0","yanked":true,"downloads":5}]})");
  };
  HubClient hub(t, "http://hub");
  auto found = hub.search({"open", "file"});
  ASSERT_TRUE(found) << found.error().message;
  EXPECT_EQ(t.seen.back().url, "http://hub/api/v1/packages?q=open%20file");
  EXPECT_EQ(found->total, 41u);
  ASSERT_EQ(found->packages.size(), 1u);
  EXPECT_EQ(found->packages[0].name, "opensnoop");
  EXPECT_EQ(found->packages[0].downloads, 17u);
  EXPECT_EQ(found->packages[0].tags, std::vector<std::string>{"fs"});
  ASSERT_TRUE(hub.search({}));
  EXPECT_EQ(t.seen.back().url, "http://hub/api/v1/packages?q=&sort=downloads");

  auto pkg = hub.package("opensnoop");
  ASSERT_TRUE(pkg) << pkg.error().message;
  EXPECT_EQ(t.seen.back().url, "http://hub/api/v1/packages/opensnoop");
  EXPECT_EQ(pkg->owners, (std::vector<std::string>{"alice", "bob"}));
  EXPECT_EQ(pkg->downloads, 20u);
  EXPECT_EQ(pkg->downloads_30d, 4u);
  ASSERT_EQ(pkg->versions.size(), 2u);
  EXPECT_FALSE(pkg->versions[0].yanked);
  EXPECT_EQ(pkg->versions[0].publisher, "alice");
  EXPECT_TRUE(pkg->versions[1].yanked);
  EXPECT_EQ(pkg->versions[1].downloads, 5u);
}

TEST(HubClient, CurrentHubAndToken) {
  char tmpl[] = "/tmp/lmp-hubc-XXXXXX";
  fs::path home = ::mkdtemp(tmpl);
  ::unsetenv("LMP_HUB");
  ::unsetenv("LMP_HUB_TOKEN");
  auto none = current_hub(home);
  ASSERT_FALSE(none);
  EXPECT_EQ(none.error().code, ExitCode::kUsage);
  EXPECT_EQ(none.error().hint, "run 'lmp login HUB_URL' or set LMP_HUB");
  auto no_token = hub_token(home, "http://hub");
  ASSERT_FALSE(no_token);
  EXPECT_EQ(no_token.error().code, ExitCode::kPermission);
  EXPECT_EQ(no_token.error().hint, "run 'lmp login http://hub'");

  ASSERT_TRUE(store_hub_token(home, "http://hub", {"alice", "lmp_a"}));
  EXPECT_EQ(current_hub(home), "http://hub");
  EXPECT_EQ(hub_token(home, "http://hub"), "lmp_a");
  ::setenv("LMP_HUB", "http://Other:8080/", 1);
  EXPECT_EQ(current_hub(home), "http://other:8080");
  ::setenv("LMP_HUB", "other:8080", 1);
  EXPECT_FALSE(current_hub(home));
  ::setenv("LMP_HUB_TOKEN", "lmp_ci", 1);
  EXPECT_EQ(hub_token(home, "http://other:8080"), "lmp_ci");
  ::unsetenv("LMP_HUB");
  ::unsetenv("LMP_HUB_TOKEN");
  fs::remove_all(home);
}

}  // namespace
}  // namespace lmp::registry
