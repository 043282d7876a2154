// The registry against a real HTTP server on loopback: the test serves a static repository
// built with `lmp repo build`, in modes that misbehave (drop the connection, stall, serve
// tampered bytes), and runs the real lmp binary with LMP_HOME in a temp dir. No root needed.
#include <httplib.h>

#include <algorithm>
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

// Serves DIR/<mode>/... : "ok" and "legacy" as files, "bad" from a tampered copy; "drop"
// and "slow" send half of every non-index file and then close or stall; "flaky" drops the
// first request of each file and serves later ones. Hostile modes, for every non-index
// file: "big" sends 100 KiB more than the file, "bomb" a gzip Content-Encoding that
// expands to 64 MiB, "drip" one byte every 200 ms (never stalling, never ending); "html"
// answers every path, index.json included, with a 200 HTML page.
class RepoServer {
 public:
  explicit RepoServer(fs::path root) : root_(std::move(root)) {
    // 64 MiB of zeros, gzip-compressed (about 64 KiB on the wire).
    Outcome gz = run_program({"sh", "-c", "head -c 67108864 /dev/zero | gzip -c"});
    bomb_ = gz.out;
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
    if (mode == "html") {
      res.set_content("<!DOCTYPE html><html><body><h1>Index of /" + path + "</h1></body></html>",
                      "text/html");
      return;
    }
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
    if (path.ends_with("package.json") && serve_hostile(mode, *body, res)) return;
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
  // The modes that attack the client; false for the others.
  bool serve_hostile(const std::string& mode, const std::string& body, httplib::Response& res) {
    if (mode == "big") {  // chunked: no Content-Length announces it
      auto more = std::make_shared<std::string>(body + std::string(100 * 1024, 'x'));
      res.set_chunked_content_provider(
          "application/octet-stream", [more](std::size_t offset, httplib::DataSink& sink) {
            if (offset >= more->size()) {
              sink.done();
              return true;
            }
            std::size_t n = std::min<std::size_t>(16384, more->size() - offset);
            return sink.write(more->data() + offset, n);
          });
    } else if (mode == "long") {  // the Content-Length itself is over the listed size
      res.set_content(body + "x", "application/octet-stream");
    } else if (mode == "bomb") {
      res.set_header("Content-Encoding", "gzip");
      res.set_content(bomb_, "application/octet-stream");
    } else if (mode == "drip") {
      res.set_content_provider(
          body.size(), "application/octet-stream",
          [this, body](std::size_t offset, std::size_t, httplib::DataSink& sink) {
            std::this_thread::sleep_for(200ms);
            return !stopping_ && sink.write(body.data() + offset, 1);
          });
    } else {
      return false;
    }
    return true;
  }
  bool first_request(const std::string& path) {
    std::lock_guard lock(mutex_);
    return seen_.insert(path).second;
  }

  fs::path root_;
  std::string bomb_;
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
  // A real package (unindexed downloads must parse): the catalog's, built beside lmp.
  static fs::path legacy_package() {
    return fs::path(LMP_BINARY).parent_path() / "catalog/opensnoop/package.json";
  }

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
    fs::create_directories(dir_.path() / "legacy/old");
    fs::copy_file(legacy_package(), dir_.path() / "legacy/old/package.json");
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

  // Tags as docker users write them: a partial version picks the newest that starts with
  // it, a leading v is ignored, latest is the highest.
  for (const auto& [tag, version] :
       std::vector<std::pair<std::string, std::string>>{{"demo:1", "1.2.0"},
                                                        {"demo:v1", "1.2.0"},
                                                        {"demo:1.0", "1.0.0"},
                                                        {"demo:v1.0.0", "1.0.0"},
                                                        {"demo:latest", "1.2.0"}}) {
    o = lmp({"pull", tag}, server_->url("ok"));
    ASSERT_EQ(o.exit_code, 0) << tag << ": " << o.err;
    EXPECT_EQ(fs::path(o.out.substr(0, o.out.size() - 1)).parent_path().filename(), version) << tag;
  }
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
  EXPECT_EQ(slurp(o.out.substr(0, o.out.size() - 1)), slurp(legacy_package()));
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

// A server sending more than the index lists is cut off at the listed size (or refused at
// once when its Content-Length says so), and nothing is cached.
TEST_F(RegistryTest, OversizeDownloadStopsAtTheListedSize) {
  Outcome o = lmp({"pull", "demo"}, server_->url("big"));
  EXPECT_EQ(o.exit_code, 8) << o.err;
  EXPECT_NE(o.err.find("bytes; stopped"), std::string::npos) << o.err;
  o = lmp({"pull", "demo"}, server_->url("long"));
  EXPECT_EQ(o.exit_code, 8) << o.err;
  EXPECT_NE(o.err.find("announces more than"), std::string::npos) << o.err;
  expect_cache_empty();
}

// Content-Encoding: gzip counts after decoding: a bomb stops at the listed size (indexed)
// or at LMP_MAX_DOWNLOAD_BYTES (by URL), never at 64 MiB.
TEST_F(RegistryTest, GzipBombStopsAtTheLimit) {
  Outcome o = lmp({"pull", "demo"}, server_->url("bomb"));
  EXPECT_EQ(o.exit_code, 8) << o.err;
  EXPECT_NE(o.err.find("bytes; stopped"), std::string::npos) << o.err;
  o = lmp({"pull", server_->url("bomb") + "/demo/1.2.0/package.json"}, "",
          {"LMP_MAX_DOWNLOAD_BYTES=1048576"});
  EXPECT_EQ(o.exit_code, 8) << o.err;
  EXPECT_NE(o.err.find("more than 1048576 bytes"), std::string::npos) << o.err;
  expect_cache_empty();
}

// file:///dev/zero never ends: the unindexed limit ends it.
TEST_F(RegistryTest, EndlessFileUrlStopsAtTheLimit) {
  Outcome o = lmp({"pull", "file:///dev/zero"}, "", {"LMP_MAX_DOWNLOAD_BYTES=1048576"});
  EXPECT_EQ(o.exit_code, 8) << o.err;
  EXPECT_NE(o.err.find("more than 1048576 bytes"), std::string::npos) << o.err;
  expect_cache_empty();
}

// One byte every 200 ms never trips the stall timer; the per-download deadline ends it.
TEST_F(RegistryTest, DrippingServerHitsTheDeadline) {
  auto start = std::chrono::steady_clock::now();
  Outcome o = lmp({"pull", "demo"}, server_->url("drip"),
                  {"LMP_HTTP_TIMEOUT_MS=1000", "LMP_HTTP_DEADLINE_MS=1500"});
  EXPECT_EQ(o.exit_code, 8) << o.err;
  EXPECT_NE(o.err.find("took longer than 1500 ms"), std::string::npos) << o.err;
  EXPECT_NE(o.err.find("LMP_HTTP_DEADLINE_MS"), std::string::npos) << o.err;
  EXPECT_LT(std::chrono::steady_clock::now() - start, 6s);
  expect_cache_empty();
}

// A URL that answers with a web page (or a legacy repository that does) caches nothing.
TEST_F(RegistryTest, HtmlPageByUrlIsNotCached) {
  Outcome o = lmp({"pull", server_->url("html") + "/tools/x/package.json"}, "");
  EXPECT_EQ(o.exit_code, 3) << o.err;
  EXPECT_NE(o.err.find("not an lmp package"), std::string::npos) << o.err;
  o = lmp({"pull", server_->url("html") + "/tools/x/app.wasm"}, "");
  EXPECT_EQ(o.exit_code, 3) << o.err;
  EXPECT_NE(o.err.find("not a WebAssembly module"), std::string::npos) << o.err;
  expect_cache_empty();
}

// Terminal escape sequences in an index reach neither `lmp search` nor `lmp info`.
TEST_F(RegistryTest, RepositoryTextIsEscaped) {
  fs::path src = dir_.path() / "evil-src";
  spit(src / "evil/package.json", "{}");
  spit(src / "evil/config.json",
       "{\"name\":\"evil\",\"version\":\"1.0.0\",\"author\":\"\\u001b]0;owned\\u0007\","
       "\"description\":\"\\u001b[2J\\u009bcleared\",\"tags\":[\"t\\u001b[31m\"]}");
  Outcome built = run_lmp({"repo", "build", src.string(), (dir_.path() / "repo").string()});
  ASSERT_EQ(built.exit_code, 0) << built.err;
  for (const auto& args :
       std::vector<std::vector<std::string>>{{"search", "evil"}, {"info", "evil"}}) {
    Outcome o = lmp(args, server_->url("ok"));
    ASSERT_EQ(o.exit_code, 0) << o.err;
    EXPECT_EQ(o.out.find('\x1b'), std::string::npos) << o.out;
    EXPECT_EQ(o.out.find("\xc2\x9b"), std::string::npos) << o.out;
    EXPECT_NE(o.out.find("\\x1b"), std::string::npos) << o.out;
  }
}

// A corrupt or hostile refs.json is an error (not a crash), and `lmp rm` never deletes a
// directory it names outside LMP_HOME.
TEST_F(RegistryTest, HostileRefsJson) {
  ASSERT_EQ(lmp({"pull", "demo"}, server_->url("ok")).exit_code, 0);
  fs::path victim = dir_.path() / "victim";
  spit(victim / "precious", "keep me");
  auto refs = nlohmann::json::parse(slurp(home() / "refs.json"));
  refs["packages"][0]["from_url"] = "yes";
  spit(home() / "refs.json", refs.dump());
  Outcome o = lmp({"list"}, "");
  EXPECT_EQ(o.exit_code, 1) << o.err;
  EXPECT_NE(o.err.find("refs.json"), std::string::npos) << o.err;
  EXPECT_EQ(std::count(o.err.begin(), o.err.end(), '\n'), 1) << o.err;

  refs["packages"][0]["from_url"] = false;
  refs["packages"][0]["dir"] = victim.string();
  spit(home() / "refs.json", refs.dump());
  o = lmp({"rm", "demo"}, "");
  EXPECT_NE(o.exit_code, 0) << o.err;
  EXPECT_TRUE(fs::exists(victim / "precious"));
}

// Under umask 000 the cache is still 0755 directories and 0644 files.
TEST_F(RegistryTest, CacheModesIgnoreTheUmask) {
  RunOptions options;
  options.env = {"LMP_HOME=" + home().string(), "LMP_REPOSITORY=" + server_->url("ok")};
  Outcome o = run_program(
      {"sh", "-c", "umask 000 && exec " + std::string(LMP_BINARY) + " pull demo"}, options);
  ASSERT_EQ(o.exit_code, 0) << o.err;
  for (const auto& e : fs::recursive_directory_iterator(home())) {
    auto perms = fs::symlink_status(e.path()).permissions();
    EXPECT_EQ(perms & (fs::perms::group_write | fs::perms::others_write), fs::perms::none)
        << e.path();
  }
  fs::permissions(home() / "packages", fs::perms(0777));
  o = lmp({"list"}, "");
  EXPECT_EQ(o.exit_code, 1) << o.err;
  EXPECT_NE(o.err.find("writable by group or others"), std::string::npos) << o.err;
}

}  // namespace
}  // namespace lmp::test
