// The whole server in-process on a loopback port: publish, the static repository (ETag, 304,
// ranges, download counting) and a few API answers.
#include "hub/server.h"

#include <gtest/gtest.h>
#include <httplib.h>

#include <thread>

#include "hub/download_counter.h"
#include "hub/hub_test_util.h"

namespace lmp::hub {
namespace {

using nlohmann::json;
using testing::version_files;

class ServerTest : public testing::HubFixture {
 protected:
  void SetUp() override {
    HubFixture::SetUp();
    accounts_.emplace(*storage_);
    downloads_.emplace(*storage_);
    hub_.emplace(HubContext{ServeSettings{}, *storage_, *blobs_, *accounts_, *downloads_, ""});
    configure_server(server_, *hub_);
    port_ = server_.bind_to_any_port("127.0.0.1");
    ASSERT_GT(port_, 0);
    hub_->public_url = "http://127.0.0.1:" + std::to_string(port_);
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    while (!server_.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    auto token = accounts_->create_token(alice_, "test");
    ASSERT_TRUE(token);
    token_ = token->secret;
  }
  void TearDown() override {
    server_.stop();
    if (thread_.joinable()) thread_.join();
  }

  httplib::Result publish(const std::map<std::string, std::string>& files,
                          const std::string& token) {
    httplib::MultipartFormDataItems items;
    for (const auto& [name, content] : files)
      items.push_back({name, content, name, "application/octet-stream"});
    httplib::Headers headers;
    if (!token.empty()) headers.emplace("Authorization", "Bearer " + token);
    return client().Post("/api/v1/packages", headers, items);
  }
  httplib::Client client() { return httplib::Client("127.0.0.1", port_); }
  std::int64_t downloads(const std::string& name) {
    EXPECT_TRUE(downloads_->flush());
    auto package = storage_->package(name, unix_day(unix_now()));
    return package && *package ? (*package)->downloads : -1;
  }

  std::optional<Accounts> accounts_;
  std::optional<DownloadCounter> downloads_;
  std::optional<HubContext> hub_;
  httplib::Server server_;
  int port_ = 0;
  std::thread thread_;
  std::string token_;
};

TEST_F(ServerTest, PublishThenDownload) {
  auto anonymous = publish(version_files("tool", "1.0.0"), "");
  ASSERT_TRUE(anonymous);
  EXPECT_EQ(anonymous->status, 401);
  EXPECT_NE(json::parse(anonymous->body)["hint"].get<std::string>().find("lmp login"),
            std::string::npos);

  auto published = publish(version_files("tool", "1.0.0"), token_);
  ASSERT_TRUE(published);
  ASSERT_EQ(published->status, 201) << published->body;
  json answer = json::parse(published->body);
  EXPECT_EQ(answer["url"], hub_->public_url + "/p/tool/1.0.0");
  EXPECT_EQ(answer["files"].size(), 3u);

  auto again = publish(version_files("tool", "1.0.0"), token_);
  ASSERT_TRUE(again);
  EXPECT_EQ(again->status, 409);

  auto index = client().Get("/index.json");
  ASSERT_TRUE(index);
  EXPECT_EQ(index->status, 200);
  EXPECT_EQ(json::parse(index->body)["packages"]["tool"]["latest"], "1.0.0");
  std::string etag = index->get_header_value("ETag");
  EXPECT_TRUE(etag.starts_with("\"gen-"));
  auto cached = client().Get("/index.json", {{"If-None-Match", etag}});
  ASSERT_TRUE(cached);
  EXPECT_EQ(cached->status, 304);

  auto file = client().Get("/tool/1.0.0/package.json");
  ASSERT_TRUE(file);
  EXPECT_EQ(file->status, 200);
  EXPECT_EQ(file->body, version_files("tool", "1.0.0")["package.json"]);
  EXPECT_EQ(file->get_header_value("Cache-Control"), "public, max-age=31536000, immutable");
  EXPECT_EQ(file->get_header_value("X-Content-Type-Options"), "nosniff");
  std::string file_etag = file->get_header_value("ETag");
  EXPECT_EQ(file_etag.size(), 66u);
  EXPECT_EQ(downloads("tool"), 1);

  auto not_modified = client().Get("/tool/package.json", {{"If-None-Match", file_etag}});
  ASSERT_TRUE(not_modified);
  EXPECT_EQ(not_modified->status, 304);
  auto head = client().Head("/tool/package.json");
  ASSERT_TRUE(head);
  EXPECT_EQ(head->status, 200);
  auto readme = client().Get("/tool/README.md");
  ASSERT_TRUE(readme);
  EXPECT_EQ(readme->status, 200);
  EXPECT_EQ(downloads("tool"), 1);  // none of those count

  auto first = client().Get("/tool/package.json", {{"Range", "bytes=0-9"}});
  ASSERT_TRUE(first);
  EXPECT_EQ(first->status, 206);
  EXPECT_EQ(first->body, file->body.substr(0, 10));
  EXPECT_EQ(first->get_header_value("Content-Range"),
            "bytes 0-9/" + std::to_string(file->body.size()));
  auto rest = client().Get("/tool/package.json", {{"Range", "bytes=10-"}});
  ASSERT_TRUE(rest);
  EXPECT_EQ(rest->status, 206);
  EXPECT_EQ(rest->body, file->body.substr(10));
  EXPECT_EQ(downloads("tool"), 2);  // the range from byte 0 counts, the rest does not

  auto beyond = client().Get("/tool/package.json", {{"Range", "bytes=99999999-"}});
  ASSERT_TRUE(beyond);
  EXPECT_EQ(beyond->status, 416);
  auto missing = client().Get("/tool/9.9.9/package.json");
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->status, 404);
}

TEST_F(ServerTest, YankChangesLatest) {
  ASSERT_EQ(publish(version_files("tool", "1.0.0"), token_)->status, 201);
  ASSERT_EQ(publish(version_files("tool", "1.1.0"), token_)->status, 201);
  httplib::Headers auth = {{"Authorization", "Bearer " + token_}};
  auto yank = client().Put("/api/v1/packages/tool/versions/1.1.0/yank", auth, "", "");
  ASSERT_TRUE(yank);
  EXPECT_EQ(yank->status, 200) << yank->body;
  auto index = json::parse(client().Get("/index.json")->body);
  EXPECT_EQ(index["packages"]["tool"]["latest"], "1.0.0");
  EXPECT_EQ(index["packages"]["tool"]["versions"]["1.1.0"]["yanked"], true);
  auto config = client().Get("/tool/config.json");
  EXPECT_NE(config->body.find("1.0.0"), std::string::npos);
  EXPECT_EQ(client().Get("/tool/1.1.0/config.json")->status, 200);  // still there by version

  auto detail = client().Get("/api/v1/packages/tool");
  ASSERT_EQ(detail->status, 200);
  json package = json::parse(detail->body);
  EXPECT_EQ(package["latest"], "1.0.0");
  EXPECT_EQ(package["versions"].size(), 2u);
  EXPECT_EQ(package["details"]["programs"].size(), 2u);

  auto bob_token = accounts_->create_token(bob_, "t");
  ASSERT_TRUE(bob_token);
  auto refused = client().Delete("/api/v1/packages/tool/versions/1.1.0/yank",
                                 {{"Authorization", "Bearer " + bob_token->secret}});
  EXPECT_EQ(refused->status, 403);
}

TEST_F(ServerTest, ApiBasics) {
  auto info = client().Get("/api/v1/info");
  ASSERT_TRUE(info);
  EXPECT_EQ(json::parse(info->body)["server"], "lmp-hub");
  EXPECT_EQ(client().Get("/api/v1/packages/none")->status, 404);
  EXPECT_EQ(client().Get("/api/v1/packages?sort=sideways")->status, 400);
  auto me = client().Get("/api/v1/me", {{"Authorization", "Bearer lmp_wrong"}});
  EXPECT_EQ(me->status, 401);
  auto days = client().Get("/api/v1/packages/none/downloads?days=3");
  ASSERT_TRUE(days);
  if (days->status == 200) {
    EXPECT_EQ(json::parse(days->body)["days"].size(), 3u);
  }
}

}  // namespace
}  // namespace lmp::hub
