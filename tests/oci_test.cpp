// OCI push/pull against Debian's docker-registry (distribution 2.x) on 127.0.0.1: once
// without auth, once with htpasswd (bcrypt) auth. Runs the real lmp binary with LMP_HOME in
// a temp dir. Needs `docker-registry` and `htpasswd` (apache2-utils); skipped without them.
#include <arpa/inet.h>
#include <httplib.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <fstream>
#include <mutex>
#include <thread>

#include <nlohmann/json.hpp>

#include "docker_registry.h"
#include "harness.h"

namespace lmp::test {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

class OciTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    package_dir_ = new TempDir();
    build_package(source_dir() / "tests/programs/opentrace", package_dir_->path());
    spit(package_dir_->path() / "README.md", "# opentrace\n\nTraces opens.\n");
  }
  static void TearDownTestSuite() {
    delete package_dir_;
    package_dir_ = nullptr;
  }
  void SetUp() override {
    if (!fs::exists(kRegistryBinary))
      GTEST_SKIP() << "needs Debian's docker-registry (apt-get install docker-registry)";
    if (run_program({"htpasswd"}).exit_code == 127)
      GTEST_SKIP() << "needs htpasswd (apt-get install apache2-utils)";
  }

  static const fs::path& package() { return package_dir_->path(); }

  RunOptions home(const TempDir& dir, std::vector<std::string> extra = {}) const {
    RunOptions o;
    o.env = {"LMP_HOME=" + (dir.path() / "home").string(),
             "DOCKER_CONFIG=" + (dir.path() / "docker").string(), "LMP_HTTP_RETRIES=0"};
    o.env.insert(o.env.end(), extra.begin(), extra.end());
    return o;
  }

  // `lmp login` with the password on stdin (run_lmp gives lmp /dev/null as stdin).
  Outcome login(const TempDir& dir, const std::string& host, const std::string& password) {
    std::string cmd = "printf '%s\\n' '" + password + "' | " + LMP_BINARY + " login " + host +
                      " -u " + kUser + " --password-stdin";
    RunOptions o = home(dir);
    return run_program({"sh", "-c", cmd}, o);
  }

  // Pulls `ref` into a fresh home and checks every pushed file came back byte for byte.
  void expect_pulls_package(const std::string& ref, const std::vector<std::string>& env = {}) {
    TempDir other;
    Outcome pull = run_lmp({"pull", ref}, home(other, env));
    ASSERT_EQ(pull.exit_code, 0) << pull.err;
    fs::path main_file = pull.out.substr(0, pull.out.find('\n'));
    EXPECT_EQ(main_file.filename(), "package.json");
    auto refs = nlohmann::json::parse(slurp(other.path() / "home/refs.json"));
    ASSERT_EQ(refs["packages"].size(), 1u);
    EXPECT_EQ(refs["packages"][0]["source"], ref);
    for (const char* name : {"package.json", "README.md", "config.json"}) {
      std::string original = slurp(package() / name);
      EXPECT_EQ(slurp(main_file.parent_path() / name), original) << name;
      bool recorded = false;
      for (const auto& f : refs["packages"][0]["files"])
        if (f["name"] == name) recorded = f["sha256"] == sha256_of(original);
      EXPECT_TRUE(recorded) << name << " missing or with a wrong sha256 in refs.json";
    }
    EXPECT_FALSE(fs::exists(main_file.parent_path() / "opentrace.bpf.o"));
  }

  static TempDir* package_dir_;
};

TempDir* OciTest::package_dir_ = nullptr;

TEST_F(OciTest, PushThenPullIntoAFreshHome) {
  Registry registry(false);
  ASSERT_TRUE(registry.ready());
  TempDir me;
  std::string ref = registry.ref("tools/opentrace:1.0.0");
  Outcome push = run_lmp({"push", package().string(), ref}, home(me));
  ASSERT_EQ(push.exit_code, 0) << push.err;
  EXPECT_TRUE(push.out.starts_with(ref + "@sha256:")) << push.out;
  expect_pulls_package(ref);

  Outcome pulled = run_lmp({"pull", ref}, home(me));
  ASSERT_EQ(pulled.exit_code, 0) << pulled.err;
  Outcome again = run_lmp({"pull", ref}, home(me));
  EXPECT_NE(again.err.find("up to date"), std::string::npos) << again.err;
  // lmp list names it by the reference run, rm and info take.
  Outcome list = run_lmp({"list", "--json"}, home(me));
  ASSERT_EQ(list.exit_code, 0) << list.err;
  auto entries = nlohmann::json::parse(list.out);
  ASSERT_EQ(entries.size(), 1u) << list.out;
  EXPECT_EQ(entries[0]["reference"], ref);
  EXPECT_EQ(entries[0]["origin"], "oci");
  EXPECT_NE(run_lmp({"list"}, home(me)).out.find(ref), std::string::npos);
  // lmp info of an image: its manifest from the registry, then the cached copy's programs.
  Outcome info = run_lmp({"info", ref}, home(me));
  EXPECT_EQ(info.exit_code, 0) << info.err;
  EXPECT_NE(info.out.find("layers:"), std::string::npos) << info.out;
  EXPECT_NE(info.out.find("package.json"), std::string::npos) << info.out;
  EXPECT_NE(info.out.find("digest:      sha256:"), std::string::npos) << info.out;
  EXPECT_NE(info.out.find("programs:"), std::string::npos) << info.out;
  Outcome rm = run_lmp({"rm", entries[0]["reference"].get<std::string>()}, home(me));
  EXPECT_EQ(rm.exit_code, 0) << rm.err;
  EXPECT_EQ(run_lmp({"rm", ref}, home(me)).exit_code, 7);
}

// A package with a WebAssembly user space (the bundled catalog's bootstrap: package.json,
// app.wasm, README.md, config.json) pushed and run by reference: the module runs.
TEST_F(OciTest, PushedWasmPackageRunsItsModule) {
  fs::path bootstrap = fs::path(LMP_BINARY).parent_path() / "catalog/bootstrap";
  ASSERT_TRUE(fs::exists(bootstrap / "app.wasm")) << "build the catalog target";
  Registry registry(false);
  ASSERT_TRUE(registry.ready());
  TempDir me;
  std::string ref = registry.ref("tools/bootstrap:1.0.0");
  Outcome push = run_lmp({"push", bootstrap.string(), ref}, home(me));
  ASSERT_EQ(push.exit_code, 0) << push.err;
  TempDir other;
  Outcome help = run_lmp({"run", ref, "-h"}, home(other));
  EXPECT_EQ(help.exit_code, 0) << help.err;
  EXPECT_NE(help.out.find("Usage: bootstrap"), std::string::npos) << help.out << help.err;
}

TEST_F(OciTest, ChunkedUploadRoundTrips) {
  Registry registry(false);
  ASSERT_TRUE(registry.ready());
  TempDir me;
  std::string ref = registry.ref("tools/chunked:2.0.0");
  Outcome push = run_lmp({"push", package().string(), ref}, home(me, {"LMP_OCI_CHUNK_BYTES=700"}));
  ASSERT_EQ(push.exit_code, 0) << push.err;
  expect_pulls_package(ref);
}

TEST_F(OciTest, UnknownTagIsNotFound) {
  Registry registry(false);
  ASSERT_TRUE(registry.ready());
  TempDir me;
  ASSERT_EQ(
      run_lmp({"push", package().string(), registry.ref("tools/x:1.0.0")}, home(me)).exit_code, 0);
  Outcome pull = run_lmp({"pull", registry.ref("tools/x:9.9.9")}, home(me));
  EXPECT_EQ(pull.exit_code, 7) << pull.err;
  EXPECT_NE(pull.err.find("tools/x:9.9.9: not found"), std::string::npos) << pull.err;
  Outcome none = run_lmp({"pull", registry.ref("tools/nothing:1.0.0")}, home(me));
  EXPECT_EQ(none.exit_code, 7) << none.err;
}

TEST_F(OciTest, PushNeedsAPackageDirectory) {
  Registry registry(false);
  ASSERT_TRUE(registry.ready());
  TempDir me;
  Outcome push = run_lmp({"push", me.path().string(), registry.ref("tools/x:1.0.0")}, home(me));
  EXPECT_EQ(push.exit_code, 7) << push.err;
  EXPECT_NE(push.err.find("no package.json"), std::string::npos) << push.err;
}

// An image as ecli and wasm-to-oci push it: one wasm layer, titled module.wasm.
TEST_F(OciTest, WasmOnlyImagePullsAsAppWasm) {
  Registry registry(false);
  ASSERT_TRUE(registry.ready());
  httplib::Client client("127.0.0.1", registry.port());
  std::string wasm("\0asm\1\0\0\0", 8);
  std::string config = "{}";
  auto upload = [&](const std::string& content) {
    auto start = client.Post("/v2/wasm/hello/blobs/uploads/", "", "application/octet-stream");
    ASSERT_TRUE(start && start->status == 202);
    std::string location = start->get_header_value("Location");
    location = location.substr(location.find("/v2/"));
    auto put = client.Put(location + "&digest=sha256:" + sha256_of(content), content,
                          "application/octet-stream");
    ASSERT_TRUE(put && put->status == 201) << (put ? put->body : "no response");
  };
  upload(wasm);
  upload(config);
  nlohmann::json manifest = {
      {"schemaVersion", 2},
      {"mediaType", "application/vnd.oci.image.manifest.v1+json"},
      {"config",
       {{"mediaType", "application/vnd.wasm.config.v1+json"},
        {"digest", "sha256:" + sha256_of(config)},
        {"size", config.size()}}},
      {"layers",
       {{{"mediaType", "application/vnd.wasm.content.layer.v1+wasm"},
         {"digest", "sha256:" + sha256_of(wasm)},
         {"size", wasm.size()},
         {"annotations", {{"org.opencontainers.image.title", "module.wasm"}}}}}}};
  auto put = client.Put("/v2/wasm/hello/manifests/v1", manifest.dump(),
                        "application/vnd.oci.image.manifest.v1+json");
  ASSERT_TRUE(put && put->status == 201) << (put ? put->body : "no response");

  TempDir me;
  Outcome pull = run_lmp({"pull", registry.ref("wasm/hello:v1")}, home(me));
  ASSERT_EQ(pull.exit_code, 0) << pull.err;
  fs::path main_file = pull.out.substr(0, pull.out.find('\n'));
  EXPECT_EQ(main_file.filename(), "app.wasm");
  EXPECT_EQ(slurp(main_file), wasm);
}

TEST_F(OciTest, AuthRegistryNeedsLogin) {
  Registry registry(true);
  ASSERT_TRUE(registry.ready());
  TempDir me;
  std::string ref = registry.ref("tools/opentrace:1.0.0");
  fs::path credentials = me.path() / "home/credentials.json";

  Outcome anonymous = run_lmp({"push", package().string(), ref}, home(me));
  EXPECT_EQ(anonymous.exit_code, 4) << anonymous.err;
  EXPECT_NE(anonymous.err.find("authentication required"), std::string::npos) << anonymous.err;
  EXPECT_NE(anonymous.err.find("lmp login " + registry.host()), std::string::npos);

  Outcome wrong = login(me, registry.host(), "not-the-password");
  EXPECT_EQ(wrong.exit_code, 4) << wrong.err;
  EXPECT_NE(wrong.err.find("wrong user name or password"), std::string::npos) << wrong.err;
  EXPECT_FALSE(fs::exists(credentials));

  Outcome right = login(me, registry.host(), kPassword);
  ASSERT_EQ(right.exit_code, 0) << right.err;
  struct stat st {};
  ASSERT_EQ(::stat(credentials.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);

  Outcome push = run_lmp({"push", package().string(), ref}, home(me));
  ASSERT_EQ(push.exit_code, 0) << push.err;
  Outcome pull = run_lmp({"pull", ref}, home(me));
  ASSERT_EQ(pull.exit_code, 0) << pull.err;

  ASSERT_EQ(run_lmp({"logout", registry.host()}, home(me)).exit_code, 0);
  Outcome after = run_lmp({"pull", ref}, home(me));
  EXPECT_EQ(after.exit_code, 4) << after.err;
}

TEST_F(OciTest, DockerConfigAuthsAreHonoured) {
  Registry registry(true);
  ASSERT_TRUE(registry.ready());
  TempDir me;
  std::string auth =
      run_program(
          {"sh", "-c", std::string("printf '%s' '") + kUser + ":" + kPassword + "' | base64 -w0"})
          .out;
  spit(me.path() / "docker/config.json",
       nlohmann::json{{"auths", {{"http://" + registry.host(), {{"auth", auth}}}}}}.dump());
  std::string ref = registry.ref("tools/opentrace:1.0.0");
  Outcome push = run_lmp({"push", package().string(), ref}, home(me));
  ASSERT_EQ(push.exit_code, 0) << push.err;
}

TEST_F(OciTest, DockerCredentialHelperIsHonoured) {
  Registry registry(true);
  ASSERT_TRUE(registry.ready());
  TempDir me;
  fs::path bin = me.path() / "bin";
  spit(bin / "docker-credential-lmptest",
       std::string("#!/bin/sh\nread server\necho \"$server\" > ") + (me.path() / "asked").string() +
           "\nprintf '{\"ServerURL\":\"%s\",\"Username\":\"" + kUser + "\",\"Secret\":\"" +
           kPassword + "\"}' \"$server\"\n");
  fs::permissions(bin / "docker-credential-lmptest", fs::perms(0755));
  spit(me.path() / "docker/config.json",
       nlohmann::json{{"credHelpers", {{registry.host(), "lmptest"}}}}.dump());
  std::string path = "PATH=" + bin.string() + ":" + std::getenv("PATH");
  std::string ref = registry.ref("tools/opentrace:1.0.0");
  Outcome push = run_lmp({"push", package().string(), ref}, home(me, {path}));
  ASSERT_EQ(push.exit_code, 0) << push.err;
  EXPECT_EQ(slurp(me.path() / "asked"), registry.host() + "\n");
  expect_pulls_package(ref, {path, "DOCKER_CONFIG=" + (me.path() / "docker").string()});
}

TEST_F(OciTest, RunPullsFromTheRegistry) {
  LMP_REQUIRE_BPF_OR_SKIP();
  Registry registry(false);
  ASSERT_TRUE(registry.ready());
  TempDir me;
  std::string ref = "localhost:" + std::to_string(registry.port()) + "/tools/opentrace:1.0.0";
  ASSERT_EQ(run_lmp({"push", package().string(), ref}, home(me)).exit_code, 0);
  Outcome run = run_lmp({"run", "--duration", "1", ref}, home(me));
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_NE(run.out.find("PATH"), std::string::npos) << run.out;
}

// A hostile registry (no docker-registry needed): it accepts the login, then names an
// upload Location on another port. The second server records what it is sent: the
// registry's credentials must not be among it.
class UploadElsewhere {
 public:
  UploadElsewhere() {
    other_.Put(R"(/upload/.*)", [this](const httplib::Request& req, httplib::Response& res) {
      record(req);
      res.status = 201;
    });
    other_.Patch(R"(/upload/.*)", [this](const httplib::Request& req, httplib::Response& res) {
      record(req);
      res.status = 202;
    });
    other_port_ = other_.bind_to_any_port("127.0.0.1");
    auto authorized = [](const httplib::Request& req, httplib::Response& res) {
      if (req.get_header_value("Authorization").starts_with("Basic ")) return true;
      res.status = 401;
      res.set_header("WWW-Authenticate", R"(Basic realm="hostile")");
      return false;
    };
    registry_.Get(R"(/v2/.*)", [=](const httplib::Request& req, httplib::Response& res) {
      if (!authorized(req, res)) return;
      res.status = req.path == "/v2/" ? 200 : 404;  // HEAD of a blob: not there yet
    });
    registry_.Post(R"(/v2/.*/blobs/uploads/)",
                   [=, this](const httplib::Request& req, httplib::Response& res) {
                     if (!authorized(req, res)) return;
                     res.status = 202;
                     res.set_header("Location", "http://127.0.0.1:" + std::to_string(other_port_) +
                                                    "/upload/" + std::to_string(++uploads_));
                   });
    registry_.Put(R"(/v2/.*/manifests/.*)",
                  [=](const httplib::Request& req, httplib::Response& res) {
                    if (authorized(req, res)) res.status = 201;
                  });
    port_ = registry_.bind_to_any_port("127.0.0.1");
    threads_.emplace_back([this] { other_.listen_after_bind(); });
    threads_.emplace_back([this] { registry_.listen_after_bind(); });
    while (!other_.is_running() || !registry_.is_running()) std::this_thread::sleep_for(1ms);
  }
  ~UploadElsewhere() {
    other_.stop();
    registry_.stop();
    for (auto& t : threads_) t.join();
  }
  std::string host() const { return "127.0.0.1:" + std::to_string(port_); }
  int requests() {
    std::lock_guard lock(mutex_);
    return requests_;
  }
  std::vector<std::string> authorizations() {
    std::lock_guard lock(mutex_);
    return authorizations_;
  }

 private:
  void record(const httplib::Request& req) {
    std::lock_guard lock(mutex_);
    ++requests_;
    if (req.has_header("Authorization"))
      authorizations_.push_back(req.get_header_value("Authorization"));
  }

  httplib::Server registry_, other_;
  int port_ = 0, other_port_ = 0;
  std::atomic<int> uploads_{0};
  std::vector<std::thread> threads_;
  std::mutex mutex_;
  int requests_ = 0;
  std::vector<std::string> authorizations_;
};

TEST(OciHostileTest, CredentialsAreNotSentToAnotherOrigin) {
  fs::path package = fs::path(LMP_BINARY).parent_path() / "catalog/opensnoop";
  if (!fs::exists(package / "package.json")) GTEST_SKIP() << "needs the built catalog";
  UploadElsewhere server;
  TempDir me;
  RunOptions options;
  options.env = {"LMP_HOME=" + (me.path() / "home").string(),
                 "DOCKER_CONFIG=" + (me.path() / "docker").string(), "LMP_HTTP_RETRIES=0"};
  options.input = "s3cret\n";
  Outcome login = run_lmp({"login", server.host(), "-u", "alice", "--password-stdin"}, options);
  ASSERT_EQ(login.exit_code, 0) << login.err;
  Outcome push =
      run_lmp({"push", package.string(), server.host() + "/tools/opensnoop:1.0.0"}, options);
  ASSERT_EQ(push.exit_code, 0) << push.err;
  EXPECT_GT(server.requests(), 0);
  EXPECT_TRUE(server.authorizations().empty())
      << "sent to another port: " << server.authorizations().front();
}

}  // namespace
}  // namespace lmp::test
