// The registry against a real HTTP server on loopback: the test serves a static repository
// built with `lmp repo build`, in modes that misbehave (drop the connection, stall, serve
// tampered bytes), and runs the real lmp binary with LMP_HOME in a temp dir. No root needed.
#include <httplib.h>

#include <atomic>
#include <csignal>
#include <fstream>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include <nlohmann/json.hpp>

#include "harness.h"

namespace lmp::test {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

std::string slurp(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

void spit(const fs::path& path, const std::string& text) {
  fs::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary) << text;
}

// Serves DIR/<mode>/... : "ok" and "legacy" as files, "bad" from a tampered copy; "drop"
// and "slow" send half of every non-index file and then close or stall; "flaky" drops the
// first request of each file and serves later ones.
class RepoServer {
 public:
  explicit RepoServer(fs::path root) : root_(std::move(root)) {
    server_.Get(R"(/(\w+)/(.*))", [this](const httplib::Request& req, httplib::Response& res) {
      serve(req.matches[1], req.matches[2], res);
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    while (!server_.is_running()) std::this_thread::sleep_for(1ms);
  }
  ~RepoServer() {
    stopping_ = true;
    server_.stop();
    thread_.join();
  }
  // The longest a client took to come back after a 429 with Retry-After (mode "busy").
  std::chrono::milliseconds waited() {
    std::lock_guard lock(mutex_);
    return waited_;
  }
  std::string url(const std::string& mode) const {
    return "http://127.0.0.1:" + std::to_string(port_) + "/" + mode;
  }

 private:
  void serve(const std::string& mode, const std::string& path, httplib::Response& res) {
    std::string dir = mode == "legacy" ? "legacy" : mode == "bad" ? "bad" : "repo";
    fs::path file = root_ / dir / path;
    if (path.find("..") != std::string::npos || !fs::is_regular_file(file)) {
      res.status = 404;
      return;
    }
    if (mode == "busy" && path != "index.json" && first_request(path)) {
      {
        std::lock_guard lock(mutex_);
        busy_at_[path] = std::chrono::steady_clock::now();
      }
      res.status = 429;
      res.set_header("Retry-After", "1");
      return;
    }
    if (mode == "busy") {
      std::lock_guard lock(mutex_);
      if (busy_at_.contains(path))
        waited_ = std::max(waited_, std::chrono::duration_cast<std::chrono::milliseconds>(
                                        std::chrono::steady_clock::now() - busy_at_[path]));
    }
    auto body = std::make_shared<std::string>(slurp(file));
    bool misbehave = path != "index.json" &&
                     (mode == "drop" || mode == "slow" || (mode == "flaky" && first_request(path)));
    if (!misbehave) {
      res.set_content(*body, "application/octet-stream");
      return;
    }
    bool slow = mode == "slow";
    res.set_content_provider(
        body->size(), "application/octet-stream",
        [this, body, slow](std::size_t offset, std::size_t, httplib::DataSink& sink) {
          if (offset == 0) return sink.write(body->data(), body->size() / 2);
          for (int i = 0; slow && i < 100 && !stopping_; ++i) std::this_thread::sleep_for(50ms);
          return false;  // close the connection mid-file
        });
  }
  bool first_request(const std::string& path) {
    std::lock_guard lock(mutex_);
    return seen_.insert(path).second;
  }

  fs::path root_;
  httplib::Server server_;
  std::thread thread_;
  int port_ = 0;
  std::atomic<bool> stopping_{false};
  std::mutex mutex_;
  std::set<std::string> seen_;
  std::map<std::string, std::chrono::steady_clock::time_point> busy_at_;
  std::chrono::milliseconds waited_{0};
};

class RegistryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    fs::path src = dir_.path() / "src";
    // Two versions of "demo" (the larger body makes half-sends meaningful) and one "other".
    std::string big(200000, 'x');
    for (const char* v : {"1.0.0", "1.2.0"}) {
      spit(src / (std::string("demo-") + v) / "package.json",
           "{\"v\":\"" + std::string(v) + "\",\"pad\":\"" + big + "\"}");
      spit(src / (std::string("demo-") + v) / "config.json",
           R"({"name":"demo","version":")" + std::string(v) +
               R"(","author":"tester","description":"a demo tool","tags":["testing"]})");
    }
    spit(src / "demo-1.0.0/README.md", "---\nsummary: the first demo\n---\n# demo\n");
    spit(src / "other/package.json", "{}");
    spit(src / "other/config.json",
         R"({"name":"other","version":"0.1.0","author":"t","description":"not the demo"})");
    Outcome built = run_lmp({"repo", "build", src.string(), (dir_.path() / "repo").string()});
    ASSERT_EQ(built.exit_code, 0) << built.err;
    fs::copy(dir_.path() / "repo", dir_.path() / "bad", fs::copy_options::recursive);
    spit(dir_.path() / "bad/demo/1.2.0/package.json", "{\"tampered\":true}");
    spit(dir_.path() / "legacy/old/package.json", "{\"legacy\":1}");
    server_ = std::make_unique<RepoServer>(dir_.path());
  }

  Outcome lmp(const std::vector<std::string>& args, const std::string& repository,
              std::vector<std::string> env = {}) {
    RunOptions options;
    options.timeout = 30s;
    options.env = {"LMP_HOME=" + home().string(), "LMP_REPOSITORY=" + repository,
                   "LMP_HTTP_RETRIES=1"};
    options.env.insert(options.env.end(), env.begin(), env.end());
    return run_lmp(args, options);
  }

  fs::path home() const { return dir_.path() / "home"; }

  // Nothing in the cache proper and no temp files left behind (once lmp has run again).
  void expect_cache_empty() {
    Outcome list = lmp({"list", "--json"}, "");
    EXPECT_EQ(list.out, "[]\n") << list.err;
    for (const char* sub : {"blobs/sha256", "packages", "tmp"}) {
      std::error_code ec;
      EXPECT_TRUE(!fs::exists(home() / sub) || fs::is_empty(home() / sub, ec)) << sub;
    }
  }

  TempDir dir_;
  std::unique_ptr<RepoServer> server_;
};

TEST_F(RegistryTest, ResolvesNamesAndVersions) {
  Outcome o = lmp({"pull", "demo"}, server_->url("ok"));
  ASSERT_EQ(o.exit_code, 0) << o.err;
  EXPECT_NE(slurp(o.out.substr(0, o.out.size() - 1)).find("\"v\":\"1.2.0\""), std::string::npos);
  o = lmp({"pull", "demo:1.0.0"}, server_->url("ok"));
  ASSERT_EQ(o.exit_code, 0) << o.err;
  EXPECT_EQ(fs::path(o.out.substr(0, o.out.size() - 1)).parent_path().filename(), "1.0.0");
  auto list = nlohmann::json::parse(lmp({"list", "--json"}, "").out);
  ASSERT_EQ(list.size(), 2u);
  EXPECT_EQ(list[0]["version"], "1.2.0");
  EXPECT_EQ(list[0]["source"], server_->url("ok") + "/demo/1.2.0");

  o = lmp({"pull", "demo:9.9.9"}, server_->url("ok"));
  EXPECT_EQ(o.exit_code, 7);
  EXPECT_NE(o.err.find("available: 1.2.0, 1.0.0"), std::string::npos) << o.err;
  o = lmp({"pull", "dmeo"}, server_->url("ok"));
  EXPECT_EQ(o.exit_code, 7);
  EXPECT_NE(o.err.find("did you mean 'demo'"), std::string::npos) << o.err;

  o = lmp({"search", "demo"}, server_->url("ok"));
  ASSERT_EQ(o.exit_code, 0) << o.err;
  EXPECT_LT(o.out.find("\ndemo "), o.out.find("\nother "));  // exact name above description
  o = lmp({"info", "demo"}, server_->url("ok"));
  EXPECT_NE(o.out.find("versions:    1.2.0, 1.0.0"), std::string::npos) << o.out;

  o = lmp({"rm", "demo"}, "");
  ASSERT_EQ(o.exit_code, 0) << o.err;
  expect_cache_empty();
}

TEST_F(RegistryTest, LegacyProbe) {
  Outcome o = lmp({"pull", "old"}, server_->url("legacy"));
  ASSERT_EQ(o.exit_code, 0) << o.err;
  EXPECT_EQ(slurp(o.out.substr(0, o.out.size() - 1)), "{\"legacy\":1}");
  o = lmp({"pull", "missing"}, server_->url("legacy"));
  EXPECT_EQ(o.exit_code, 7) << o.err;
}

TEST_F(RegistryTest, DigestMismatchIsRejected) {
  Outcome o = lmp({"pull", "demo"}, server_->url("bad"));
  EXPECT_EQ(o.exit_code, 8);
  EXPECT_NE(o.err.find("sha256 mismatch"), std::string::npos) << o.err;
  expect_cache_empty();
}

TEST_F(RegistryTest, DroppedConnection) {
  Outcome o = lmp({"pull", "demo"}, server_->url("drop"));
  EXPECT_EQ(o.exit_code, 8);
  EXPECT_NE(o.err.find("GET " + server_->url("drop") + "/demo/1.2.0/"), std::string::npos) << o.err;
  EXPECT_NE(o.err.find("connection closed before the end of the file"), std::string::npos);
  expect_cache_empty();
}

TEST_F(RegistryTest, RetriesATransientFailure) {
  Outcome o = lmp({"pull", "demo"}, server_->url("flaky"));
  ASSERT_EQ(o.exit_code, 0) << o.err;
}

// 429 Too Many Requests with Retry-After: 1 on each file's first request: lmp waits the
// second the server asked for (not its 250 ms backoff) and then gets the file.
TEST_F(RegistryTest, HonoursRetryAfterOn429) {
  Outcome o = lmp({"pull", "demo"}, server_->url("busy"));
  ASSERT_EQ(o.exit_code, 0) << o.err;
  EXPECT_GE(server_->waited().count(), 900);
}

TEST_F(RegistryTest, NotFound) {
  Outcome o = lmp({"pull", server_->url("ok") + "/nothing/package.json"}, "");
  EXPECT_EQ(o.exit_code, 7);
  EXPECT_NE(o.err.find("HTTP 404 Not Found"), std::string::npos) << o.err;
  expect_cache_empty();
}

TEST_F(RegistryTest, SlowServerTimesOut) {
  auto start = std::chrono::steady_clock::now();
  Outcome o = lmp({"pull", "demo"}, server_->url("slow"), {"LMP_HTTP_TIMEOUT_MS=500"});
  EXPECT_EQ(o.exit_code, 8);
  EXPECT_NE(o.err.find("timed out"), std::string::npos) << o.err;
  EXPECT_LT(std::chrono::steady_clock::now() - start, 4s);
  expect_cache_empty();
}

TEST_F(RegistryTest, KilledDownloadLeavesNothing) {
  RunOptions options;
  options.env = {"LMP_HOME=" + home().string(), "LMP_REPOSITORY=" + server_->url("slow"),
                 "LMP_HTTP_TIMEOUT_MS=20000"};
  Background pull({"pull", "demo"}, options);
  bool started = false;
  for (int i = 0; i < 100 && !started; ++i) {
    std::this_thread::sleep_for(50ms);
    std::error_code ec;
    started = fs::exists(home() / "tmp") && !fs::is_empty(home() / "tmp", ec);
  }
  ASSERT_TRUE(started) << "no download in progress";
  Outcome killed = pull.stop(SIGKILL);
  EXPECT_EQ(killed.exit_code, 128 + SIGKILL);
  expect_cache_empty();
}

TEST_F(RegistryTest, ConnectionRefused) {
  Outcome o = lmp({"pull", "demo"}, "http://127.0.0.1:1");
  EXPECT_EQ(o.exit_code, 8);
  EXPECT_NE(o.err.find("GET http://127.0.0.1:1/index.json"), std::string::npos) << o.err;
}

}  // namespace
}  // namespace lmp::test
