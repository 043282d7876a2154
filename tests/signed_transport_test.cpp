// Signatures travel with the package: a package signed with registry::sign_package goes
// through a static repository (lmp repo build, served over loopback HTTP) and an OCI registry
// (Debian's docker-registry on loopback), is pulled by the real lmp binary into a fresh
// LMP_HOME, and its cached copy verifies. Repositories that tamper with it are caught: after
// the pull by verify_package (what `lmp run` checks), or by the pull itself for a damaged
// lmp.sig, which leaves nothing in the cache. The hub's part is in hub_signature_test.cpp.
#include <httplib.h>

#include <thread>

#include <nlohmann/json.hpp>

#include "docker_registry.h"
#include "harness.h"
#include "registry/signing.h"

namespace lmp::test {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using nlohmann::json;

// Serves a directory's files as they are (never compressed), over loopback HTTP.
class StaticServerSignedTransport {
 public:
  explicit StaticServerSignedTransport(const fs::path& root) {
    server_.Get(R"(/(.*))", [root](const httplib::Request& req, httplib::Response& res) {
      std::string path = req.matches[1];
      if (path.find("..") != std::string::npos || !fs::is_regular_file(root / path)) {
        res.status = 404;
        return;
      }
      res.set_content(slurp(root / path), "application/octet-stream");
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    while (!server_.is_running()) std::this_thread::sleep_for(1ms);
  }
  ~StaticServerSignedTransport() {
    server_.stop();
    thread_.join();
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }

 private:
  httplib::Server server_;
  std::thread thread_;
  int port_ = 0;
};

// The lines of stderr that report an error (the others are progress): one per failure.
long error_lines(const std::string& err) {
  long n = err.starts_with("error:") ? 1 : 0;
  for (std::size_t at = err.find("\nerror:"); at != std::string::npos;
       at = err.find("\nerror:", at + 1))
    ++n;
  return n;
}

std::string last_line(const std::string& text) {
  std::size_t end = text.ends_with('\n') ? text.size() - 1 : text.size();
  std::size_t start = text.rfind('\n', end == 0 ? 0 : end - 1);
  return text.substr(start == std::string::npos ? 0 : start + 1, end);
}

// The cached package's directory from `lmp pull`'s output (the main file's path).
fs::path pulled_dir(const Outcome& pull) {
  return fs::path(pull.out.substr(0, pull.out.find('\n'))).parent_path();
}

// What verify_package says of a directory: "signed by FINGERPRINT", "unsigned", or the error.
std::string verdict(const fs::path& dir) {
  auto verified = registry::verify_package(dir);
  if (!verified) return verified.error().message;
  return *verified ? "signed by " + (*verified)->fingerprint : "unsigned";
}

// Rewrites the index entry of NAME VERSION FILE to `content`'s digest and size, as a
// repository that swapped the file would.
void relist(const fs::path& repo, const std::string& name, const std::string& version,
            const std::string& file, const std::string& content) {
  json index = json::parse(slurp(repo / "index.json"));
  index["packages"][name]["versions"][version]["files"][file] = {{"sha256", sha256_of(content)},
                                                                 {"size", content.size()}};
  spit(repo / "index.json", index.dump(2));
  spit(repo / name / version / file, content);
}

class SignedRepositoryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    key_ = *registry::generate_key("release");
    // Two signed versions of "demo" and an unsigned "plain".
    for (const char* v : {"1.0.0", "1.1.0"}) {
      fs::path dir = src() / (std::string("demo-") + v);
      spit(dir / "package.json", R"({"demo": ")" + std::string(v) + R"("})");
      spit(dir / "config.json", R"({"name":"demo","version":")" + std::string(v) +
                                    R"(","author":"t","description":"a signed demo"})");
      spit(dir / "README.md", "# demo\n");
      auto signed_at = registry::sign_package(dir, key_);
      ASSERT_TRUE(signed_at) << signed_at.error().message;
    }
    spit(src() / "plain/package.json", "{}");
    spit(src() / "plain/config.json",
         R"({"name":"plain","version":"0.1.0","author":"t","description":"unsigned"})");
    Outcome built = run_lmp({"repo", "build", src().string(), repo().string()});
    ASSERT_EQ(built.exit_code, 0) << built.err;
    server_ = std::make_unique<StaticServerSignedTransport>(dir_.path());
  }

  fs::path src() const { return dir_.path() / "src"; }
  fs::path repo() const { return dir_.path() / "repo"; }
  fs::path home() const { return dir_.path() / "home"; }
  std::string fingerprint() const { return registry::key_fingerprint(key_.public_key); }

  Outcome lmp(const std::vector<std::string>& args) {
    RunOptions options;
    options.timeout = 30s;
    options.env = {"LMP_HOME=" + home().string(), "LMP_REPOSITORY=" + server_->url() + "/repo",
                   "LMP_HTTP_RETRIES=0"};
    return run_lmp(args, options);
  }

  void expect_cache_empty() {
    Outcome list = lmp({"list", "--json"});
    EXPECT_EQ(list.out, "[]\n") << list.err;
    for (const char* sub : {"blobs/sha256", "packages", "tmp"}) {
      std::error_code ec;
      EXPECT_TRUE(!fs::exists(home() / sub) || fs::is_empty(home() / sub, ec)) << sub;
    }
  }

  registry::KeyPair key_;
  TempDir dir_;
  std::unique_ptr<StaticServerSignedTransport> server_;
};

TEST_F(SignedRepositoryTest, SignatureIsListedPulledCachedAndRemoved) {
  json index = json::parse(slurp(repo() / "index.json"));
  std::string signature = slurp(src() / "demo-1.1.0/lmp.sig");
  EXPECT_EQ(index["packages"]["demo"]["versions"]["1.1.0"]["files"]["lmp.sig"],
            json({{"sha256", sha256_of(signature)}, {"size", signature.size()}}));
  EXPECT_FALSE(index["packages"]["plain"]["versions"]["0.1.0"]["files"].contains("lmp.sig"));
  EXPECT_EQ(slurp(repo() / "demo/lmp.sig"), signature);  // the latest copy

  Outcome pull = lmp({"pull", "demo"});
  ASSERT_EQ(pull.exit_code, 0) << pull.err;
  fs::path cached = pulled_dir(pull);
  EXPECT_EQ(cached.filename(), "1.1.0");
  EXPECT_EQ(slurp(cached / "lmp.sig"), signature);
  EXPECT_EQ(verdict(cached), "signed by " + fingerprint());
  // lmp.sig is a file of the cache entry like the others: recorded, checked, removed.
  json refs = json::parse(slurp(home() / "refs.json"));
  bool recorded = false;
  for (const json& f : refs["packages"][0]["files"])
    recorded = recorded || (f["name"] == "lmp.sig" && f["sha256"] == sha256_of(signature));
  EXPECT_TRUE(recorded) << refs.dump();
  Outcome again = lmp({"pull", "demo"});
  EXPECT_NE(again.err.find("up to date"), std::string::npos) << again.err;

  Outcome plain = lmp({"pull", "plain"});
  ASSERT_EQ(plain.exit_code, 0) << plain.err;
  EXPECT_FALSE(fs::exists(pulled_dir(plain) / "lmp.sig"));
  EXPECT_EQ(verdict(pulled_dir(plain)), "unsigned");

  ASSERT_EQ(lmp({"rm", "demo"}).exit_code, 0);
  ASSERT_EQ(lmp({"rm", "plain"}).exit_code, 0);
  expect_cache_empty();
}

// A repository (or mirror) that changed package.json after signing, and listed the new
// digest in its index: the pull succeeds, the cached copy does not verify.
TEST_F(SignedRepositoryTest, TamperedPackageDoesNotVerifyAfterThePull) {
  relist(repo(), "demo", "1.1.0", "package.json", R"({"demo": "evil"})");
  Outcome pull = lmp({"pull", "demo:1.1.0"});
  ASSERT_EQ(pull.exit_code, 0) << pull.err;
  std::string said = verdict(pulled_dir(pull));
  EXPECT_NE(said.find("lmp.sig: package.json was changed after signing (signed by ed25519:"),
            std::string::npos)
      << said;
}

// 1.0.0's signature served as 1.1.0's.
TEST_F(SignedRepositoryTest, SignatureOfAnotherVersionDoesNotVerify) {
  relist(repo(), "demo", "1.1.0", "lmp.sig", slurp(src() / "demo-1.0.0/lmp.sig"));
  Outcome pull = lmp({"pull", "demo:1.1.0"});
  ASSERT_EQ(pull.exit_code, 0) << pull.err;
  std::string said = verdict(pulled_dir(pull));
  EXPECT_NE(said.find("lmp.sig: signed for version 1.0.0, not 1.1.0"), std::string::npos) << said;
}

// A truncated lmp.sig: against the index's digest it is a mismatch; listed with its own
// digest it is no signature. Either way one line, and nothing is cached.
TEST_F(SignedRepositoryTest, TruncatedSignatureFailsThePullAndCachesNothing) {
  std::string signature = slurp(repo() / "demo/1.1.0/lmp.sig");
  spit(repo() / "demo/1.1.0/lmp.sig", signature.substr(0, signature.size() / 2));
  Outcome pull = lmp({"pull", "demo:1.1.0"});
  EXPECT_EQ(pull.exit_code, 8) << pull.err;
  EXPECT_NE(pull.err.find("lmp.sig: sha256 mismatch"), std::string::npos) << pull.err;
  EXPECT_EQ(error_lines(pull.err), 1) << pull.err;
  EXPECT_TRUE(last_line(pull.err).starts_with("error: ")) << pull.err;
  expect_cache_empty();

  relist(repo(), "demo", "1.1.0", "lmp.sig", signature.substr(0, signature.size() / 2));
  pull = lmp({"pull", "demo:1.1.0"});
  EXPECT_EQ(pull.exit_code, 3) << pull.err;
  EXPECT_NE(pull.err.find("lmp.sig is not a package signature (truncated or not JSON)"),
            std::string::npos)
      << pull.err;
  EXPECT_EQ(error_lines(pull.err), 1) << pull.err;
  EXPECT_TRUE(last_line(pull.err).starts_with("error: ")) << pull.err;
  expect_cache_empty();
}

// A package rebuilt after it was signed is not published with the old signature.
TEST_F(SignedRepositoryTest, RepoBuildRefusesAStaleSignature) {
  spit(src() / "demo-1.1.0/package.json", R"({"demo": "rebuilt"})");
  Outcome built = run_lmp({"repo", "build", src().string(), (dir_.path() / "out").string()});
  EXPECT_EQ(built.exit_code, 3) << built.err;
  EXPECT_NE(built.err.find("package.json was changed after signing"), std::string::npos)
      << built.err;
  EXPECT_FALSE(fs::exists(dir_.path() / "out/index.json"));
}

class SignedOciTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    package_dir_ = new TempDir();
    build_package(source_dir() / "tests/programs/opentrace", package_dir_->path());
    spit(package_dir_->path() / "config.json",
         R"({"name":"opentrace","version":"1.0.0","author":"t","description":"traces opens"})");
  }
  static void TearDownTestSuite() {
    delete package_dir_;
    package_dir_ = nullptr;
  }
  void SetUp() override {
    if (!fs::exists(kRegistryBinary))
      GTEST_SKIP() << "needs Debian's docker-registry (apt-get install docker-registry)";
    // Each test signs its own copy.
    fs::copy(package_dir_->path(), dir_.path() / "pkg", fs::copy_options::recursive);
    fs::remove(package() / "lmp.sig");
    key_ = *registry::generate_key("oci-release");
    ASSERT_TRUE(registry::sign_package(package(), key_));
  }

  fs::path package() const { return dir_.path() / "pkg"; }
  RunOptions home(const std::string& name) const {
    RunOptions o;
    o.env = {"LMP_HOME=" + (dir_.path() / name).string(),
             "DOCKER_CONFIG=" + (dir_.path() / "docker").string(), "LMP_HTTP_RETRIES=0"};
    return o;
  }

  static TempDir* package_dir_;
  TempDir dir_;
  registry::KeyPair key_;
};

TempDir* SignedOciTest::package_dir_ = nullptr;

TEST_F(SignedOciTest, SignatureLayerIsPushedAndPulled) {
  Registry registry(false);
  ASSERT_TRUE(registry.ready());
  std::string ref = registry.ref("tools/opentrace:1.0.0");
  Outcome push = run_lmp({"push", package().string(), ref}, home("me"));
  ASSERT_EQ(push.exit_code, 0) << push.err;

  // The manifest carries lmp.sig as a layer of its own type, titled lmp.sig.
  httplib::Client client("127.0.0.1", registry.port());
  auto got = client.Get("/v2/tools/opentrace/manifests/1.0.0",
                        {{"Accept", "application/vnd.oci.image.manifest.v1+json"}});
  ASSERT_TRUE(got && got->status == 200);
  std::string signature = slurp(package() / "lmp.sig");
  bool layer = false;
  json manifest = json::parse(got->body);
  for (const json& l : manifest["layers"])
    layer = layer || (l["mediaType"] == "application/vnd.lmp.signature.v1+json" &&
                      l["digest"] == "sha256:" + sha256_of(signature) &&
                      l["annotations"]["org.opencontainers.image.title"] == "lmp.sig");
  EXPECT_TRUE(layer) << got->body;

  Outcome pull = run_lmp({"pull", ref}, home("user"));
  ASSERT_EQ(pull.exit_code, 0) << pull.err;
  EXPECT_EQ(slurp(pulled_dir(pull) / "lmp.sig"), signature);
  EXPECT_EQ(verdict(pulled_dir(pull)), "signed by " + registry::key_fingerprint(key_.public_key));

  // A registry that serves other bytes for the signature layer than its digest names.
  fs::path blob = registry.blob_file(sha256_of(signature));
  ASSERT_TRUE(fs::exists(blob));
  spit(blob, signature.substr(0, signature.size() - 10) + "0123456789");
  Outcome bad = run_lmp({"pull", ref}, home("victim"));
  EXPECT_EQ(bad.exit_code, 8) << bad.err;
  EXPECT_NE(bad.err.find("does not match its digest"), std::string::npos) << bad.err;
  EXPECT_EQ(error_lines(bad.err), 1) << bad.err;
  Outcome list = run_lmp({"list", "--json"}, home("victim"));
  EXPECT_EQ(list.out, "[]\n") << list.err;
}

TEST_F(SignedOciTest, PushRefusesAStaleSignature) {
  Registry registry(false);
  ASSERT_TRUE(registry.ready());
  spit(package() / "config.json",
       R"({"name":"opentrace","version":"1.0.1","author":"t","description":"traces opens"})");
  Outcome push =
      run_lmp({"push", package().string(), registry.ref("tools/opentrace:1.0.1")}, home("me"));
  EXPECT_EQ(push.exit_code, 3) << push.err;
  EXPECT_NE(push.err.find("lmp.sig: signed for version 1.0.0, not 1.0.1"), std::string::npos)
      << push.err;
  httplib::Client client("127.0.0.1", registry.port());
  auto got = client.Get("/v2/tools/opentrace/manifests/1.0.1");
  EXPECT_TRUE(got && got->status == 404);
}

}  // namespace
}  // namespace lmp::test
