// The hub under bad input and faults, over plain HTTP and raw sockets: every bad upload is a
// clear JSON error with the right status and stores nothing; oversized bodies are refused
// before they are read; a client that disconnects mid-upload, two racing publishes and a
// kill -9 mid-publish leave either the whole version or none of it; a second server on the
// same data directory is refused; failed logins are rate-limited.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <thread>

#include "hub_fixture.h"

namespace lmp::test {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using nlohmann::json;

constexpr const char* kCarolPassword = "carol-password-3";

class HubFaultsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    hub_ = std::make_unique<HubProcess>(data_.path() / "hub");
    Outcome add = hub_->admin({"user", "add", "carol", "--password-stdin"},
                              std::string(kCarolPassword) + "\n");
    ASSERT_EQ(add.exit_code, 0) << add.err;
    ASSERT_TRUE(hub_->start()) << hub_->last_error;
    token_ = hub_login(*hub_, "carol", kCarolPassword);
    ASSERT_FALSE(token_.empty());
    fs::path pkg = opentrace_package_dir() / "package.json";
    package_json_ = read_file_text(pkg);
    ASSERT_FALSE(package_json_.empty());
  }

  static std::string config(const std::string& name, const std::string& version) {
    return json({{"name", name},
                 {"version", version},
                 {"author", "faults"},
                 {"description", "a test package"}})
        .dump();
  }

  // Publishes and expects `status` with an {"error"} body; returns the error text.
  std::string expect_refused(const std::vector<std::pair<std::string, std::string>>& files,
                             int status) {
    auto res = hub_publish(*hub_, token_, files);
    EXPECT_TRUE(res);
    if (!res) return "";
    EXPECT_EQ(res->status, status) << res->body;
    json body = json::parse(res->body, nullptr, false);
    EXPECT_TRUE(body.is_object() && body.contains("error")) << res->body;
    return body.is_object() ? body.value("error", "") : "";
  }

  bool version_listed(const std::string& name, const std::string& version) {
    auto c = hub_->client();
    auto res = c.Get("/index.json");
    if (!res) return false;
    json index = json::parse(res->body, nullptr, false);
    return index.is_object() && index["packages"].contains(name) &&
           index["packages"][name]["versions"].contains(version);
  }

  // Sends raw bytes on a new connection; returns what the server answered (maybe nothing).
  std::string raw_exchange(const std::string& bytes, bool read_answer = true) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(hub_->port()));
    inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
    if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
      close(fd);
      return "";
    }
    timeval tv{5, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    (void)!write(fd, bytes.data(), bytes.size());
    std::string answer;
    if (read_answer) {
      char buf[4096];
      ssize_t n = read(fd, buf, sizeof buf);
      if (n > 0) answer.assign(buf, static_cast<size_t>(n));
    }
    close(fd);
    return answer;
  }

  TempDir data_;
  std::unique_ptr<HubProcess> hub_;
  std::string token_;
  std::string package_json_;
};

TEST_F(HubFaultsTest, BadPackagesAreRefusedAndNothingIsStored) {
  const std::string cfg = config("faulty", "1.0.0");
  expect_refused({{"config.json", cfg}, {"package.json", "{not json"}}, 400);
  expect_refused({{"config.json", cfg}, {"package.json", package_json_.substr(0, 200)}}, 400);
  json broken = json::parse(package_json_);
  std::string object = broken["bpf_object"];
  broken["bpf_object"] = object.substr(0, object.size() / 2);  // does not inflate
  expect_refused({{"config.json", cfg}, {"package.json", broken.dump()}}, 400);
  expect_refused({{"config.json", cfg}}, 400);             // no package
  expect_refused({{"package.json", package_json_}}, 400);  // no config
  expect_refused({{"config.json", "{\"name\": 1}"}, {"package.json", package_json_}}, 400);
  expect_refused({{"config.json", cfg}, {"app.wasm", "not a wasm module"}}, 400);
  expect_refused({{"config.json", cfg}, {"package.json", package_json_}, {"evil.sh", "x"}}, 400);
  EXPECT_FALSE(version_listed("faulty", "1.0.0"));
  // No blob of any refused upload was kept.
  fs::path blobs = hub_->data_dir() / "blobs" / "sha256";
  std::size_t stored = 0;
  if (fs::exists(blobs))
    for ([[maybe_unused]] const auto& e : fs::directory_iterator(blobs)) ++stored;
  EXPECT_EQ(stored, 0u);
}

TEST_F(HubFaultsTest, BadNamesAndVersionsAreRefused) {
  for (const std::string& name :
       std::vector<std::string>{"a/b", "..", "Upper", std::string(200, 'a'), "-dash", ""}) {
    std::string error = expect_refused(
        {{"config.json", config(name, "1.0.0")}, {"package.json", package_json_}}, 400);
    EXPECT_FALSE(error.empty()) << name;
  }
  expect_refused({{"config.json", config("okname", "1.0")}, {"package.json", package_json_}}, 400);
}

TEST_F(HubFaultsTest, ReadmeWithScriptIsStoredAsIs) {
  std::string readme = "# x\n<script>alert(1)</script>\n<img src=x onerror=alert(2)>\n";
  auto res = hub_publish(*hub_, token_,
                         {{"config.json", config("scripted", "1.0.0")},
                          {"package.json", package_json_},
                          {"README.md", readme}});
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 201) << res->body;
  auto c = hub_->client();
  auto back = c.Get("/scripted/1.0.0/README.md");
  ASSERT_TRUE(back);
  EXPECT_EQ(back->body, readme);
  // Served as data, never as a page: not HTML, and browsers may not sniff it into one.
  EXPECT_EQ(back->get_header_value("Content-Type").find("html"), std::string::npos)
      << back->get_header_value("Content-Type");
  EXPECT_EQ(back->get_header_value("X-Content-Type-Options"), "nosniff");
}

TEST_F(HubFaultsTest, OversizedBodyIsRefusedBeforeItIsRead) {
  std::string request =
      "POST /api/v1/packages HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + token_ +
      "\r\nContent-Type: multipart/form-data; boundary=xyz\r\nContent-Length: " +
      std::to_string(200ull * 1024 * 1024) + "\r\n\r\n";
  std::string answer = raw_exchange(request);  // sends no body at all
  EXPECT_NE(answer.find(" 413 "), std::string::npos) << answer;
}

TEST_F(HubFaultsTest, ClientThatDisconnectsMidUploadStoresNothing) {
  std::string boundary = "lmpboundary";
  std::string body = "--" + boundary +
                     "\r\nContent-Disposition: form-data; name=\"config.json\"; "
                     "filename=\"config.json\"\r\n\r\n" +
                     config("halfway", "1.0.0") + "\r\n--" + boundary +
                     "\r\nContent-Disposition: form-data; name=\"package.json\"; "
                     "filename=\"package.json\"\r\n\r\n" +
                     package_json_ + "\r\n--" + boundary + "--\r\n";
  std::string head = "POST /api/v1/packages HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " +
                     token_ + "\r\nContent-Type: multipart/form-data; boundary=" + boundary +
                     "\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n";
  raw_exchange(head + body.substr(0, body.size() / 2), /*read_answer=*/false);
  std::this_thread::sleep_for(500ms);
  EXPECT_FALSE(version_listed("halfway", "1.0.0"));
  // The server is still fine.
  auto ok =
      hub_publish(*hub_, token_,
                  {{"config.json", config("halfway", "1.0.0")}, {"package.json", package_json_}});
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->status, 201) << ok->body;
}

TEST_F(HubFaultsTest, TwoRacingPublishesOfOneVersionHaveOneWinner) {
  std::atomic<int> created{0}, conflicts{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 4; ++i)
    threads.emplace_back([&, i] {
      auto res = hub_publish(*hub_, token_,
                             {{"config.json", config("racy", "1.0.0")},
                              {"package.json", package_json_},
                              {"README.md", "# writer " + std::to_string(i) + "\n"}});
      if (res && res->status == 201) ++created;
      if (res && res->status == 409) ++conflicts;
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(created.load(), 1);
  EXPECT_EQ(conflicts.load(), 3);
}

TEST_F(HubFaultsTest, KillDuringPublishLeavesWholeVersionsOrNone) {
  std::vector<std::thread> threads;
  for (int i = 0; i < 6; ++i)
    threads.emplace_back([&, i] {
      hub_publish(*hub_, token_,
                  {{"config.json", config("crashy", "1.0." + std::to_string(i))},
                   {"package.json", package_json_}});
    });
  std::this_thread::sleep_for(30ms);
  hub_->kill9();
  for (auto& t : threads) t.join();
  ASSERT_TRUE(hub_->start()) << hub_->last_error;
  auto c = hub_->client();
  auto res = c.Get("/index.json");
  ASSERT_TRUE(res);
  json index = json::parse(res->body);
  if (!index["packages"].contains("crashy")) return;  // none committed: fine
  for (const auto& [version, entry] : index["packages"]["crashy"]["versions"].items()) {
    for (const auto& [file, meta] : entry["files"].items()) {
      auto got = c.Get("/crashy/" + version + "/" + file);
      ASSERT_TRUE(got);
      EXPECT_EQ(got->status, 200) << version << "/" << file;
      EXPECT_EQ(got->body.size(), meta["size"].get<std::size_t>());
    }
  }
}

TEST_F(HubFaultsTest, SecondServerOnTheSameDataDirIsRefused) {
  HubProcess second(hub_->data_dir());
  EXPECT_FALSE(second.start());
  EXPECT_NE(second.last_error.find("in use"), std::string::npos) << second.last_error;
}

TEST_F(HubFaultsTest, FailedLoginsAreRateLimited) {
  int status = 0;
  for (int i = 0; i < 5; ++i) hub_login(*hub_, "carol", "wrong-password", &status);
  EXPECT_EQ(status, 401);
  hub_login(*hub_, "carol", kCarolPassword, &status);  // even the right password waits now
  EXPECT_EQ(status, 429);
  auto c = hub_->client();
  auto res = c.Post("/api/v1/login", R"({"username":"carol","password":"x"})", "application/json");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 429);
  EXPECT_FALSE(res->get_header_value("Retry-After").empty());
}

TEST_F(HubFaultsTest, UnauthenticatedAndUnknownRoutesAnswerJsonErrors) {
  auto res = hub_publish(
      *hub_, "", {{"config.json", config("anon", "1.0.0")}, {"package.json", package_json_}});
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 401);
  json err = json::parse(res->body, nullptr, false);
  EXPECT_NE(err.value("hint", "").find("lmp login"), std::string::npos) << res->body;
  auto c = hub_->client();
  auto missing = c.Get("/api/v1/packages/no-such-package");
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->status, 404);
  EXPECT_TRUE(json::parse(missing->body, nullptr, false).contains("error")) << missing->body;
}

}  // namespace
}  // namespace lmp::test
