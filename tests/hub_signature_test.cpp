// Signed packages through a real lmp-hub: `lmp publish` uploads lmp.sig, the hub verifies it
// and keeps it with the version, serves it in its static repository (so `lmp pull` brings
// it into the cache, where it verifies), and shows the signer on the store page and in the
// JSON API. A signature that does not verify over the uploaded files is refused.
#include "hub_fixture.h"
#include "registry/signing.h"

namespace lmp::test {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr const char* kPasswordHubSignature = "signer-password-1";

class HubSignatureTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    data_ = new TempDir();
    hub_ = new HubProcess(data_->path() / "hub");
    Outcome add = hub_->admin({"user", "add", "signer", "--password-stdin"},
                              std::string(kPasswordHubSignature) + "\n");
    ASSERT_EQ(add.exit_code, 0) << add.err;
    ASSERT_TRUE(hub_->start()) << hub_->last_error;
  }
  static void TearDownTestSuite() {
    delete hub_;
    delete data_;
  }

  void SetUp() override {
    key_ = *registry::generate_key("signer-release");
    home_ = scratch_.path() / "home";
    Outcome login =
        lmp_with_hub(*hub_, home_, {"login", hub_->url(), "-u", "signer", "--password-stdin"},
                     std::string(kPasswordHubSignature) + "\n");
    ASSERT_EQ(login.exit_code, 0) << login.err;
  }

  // A publish directory for NAME VERSION, signed with key_.
  fs::path signed_dir(const std::string& name, const std::string& version) {
    fs::path dir = scratch_.path() / (name + "-" + version);
    make_publish_dir(dir, opentrace_package_dir(), name, version);
    auto signature = registry::sign_package(dir, key_);
    EXPECT_TRUE(signature) << signature.error().message;
    return dir;
  }

  json get_json(const std::string& path) {
    auto res = hub_->client().Get(path);
    return res ? json::parse(res->body, nullptr, false) : json();
  }

  std::string fingerprint() const { return registry::key_fingerprint(key_.public_key); }

  static TempDir* data_;
  static HubProcess* hub_;
  TempDir scratch_;
  fs::path home_;
  registry::KeyPair key_;
};

TempDir* HubSignatureTest::data_ = nullptr;
HubProcess* HubSignatureTest::hub_ = nullptr;

TEST_F(HubSignatureTest, PublishedSignatureIsServedPulledAndShown) {
  fs::path dir = signed_dir("signedtrace", "1.0.0");
  Outcome published = lmp_with_hub(*hub_, home_, {"publish", dir.string()});
  ASSERT_EQ(published.exit_code, 0) << published.err;

  // The static repository view lists and serves it.
  std::string signature = read_file_text(dir / "lmp.sig");
  json index = get_json("/index.json");
  EXPECT_EQ(index["packages"]["signedtrace"]["versions"]["1.0.0"]["files"]["lmp.sig"]["size"],
            signature.size());
  auto served = hub_->client().Get("/signedtrace/1.0.0/lmp.sig");
  ASSERT_TRUE(served);
  EXPECT_EQ(served->status, 200);
  EXPECT_EQ(served->body, signature);

  // A user pulls it: the cached copy holds the signature and verifies.
  Outcome pull = lmp_with_hub(*hub_, scratch_.path() / "user", {"pull", "signedtrace"});
  ASSERT_EQ(pull.exit_code, 0) << pull.err;
  fs::path cached = fs::path(pull.out.substr(0, pull.out.find('\n'))).parent_path();
  EXPECT_EQ(read_file_text(cached / "lmp.sig"), signature);
  auto verified = registry::verify_package(cached);
  ASSERT_TRUE(verified) << verified.error().message;
  ASSERT_TRUE(*verified);
  EXPECT_EQ((*verified)->fingerprint, fingerprint());

  // The JSON API and the store page name the key.
  json api = get_json("/api/v1/packages/signedtrace");
  EXPECT_EQ(api["signature"]["key"], fingerprint()) << api.dump();
  EXPECT_EQ(api["signature"]["key_name"], "signer-release");
  EXPECT_EQ(api["versions"][0]["signature"]["key"], fingerprint());
  auto page = hub_->client().Get("/p/signedtrace");
  ASSERT_TRUE(page);
  EXPECT_NE(page->body.find("Signed by <strong>signer-release</strong>"), std::string::npos);
  EXPECT_NE(page->body.find("<code>" + fingerprint() + "</code>"), std::string::npos);

  // An unsigned version of the same package says so.
  fs::path unsigned_dir = scratch_.path() / "unsigned";
  make_publish_dir(unsigned_dir, opentrace_package_dir(), "signedtrace", "1.1.0");
  ASSERT_EQ(lmp_with_hub(*hub_, home_, {"publish", unsigned_dir.string()}).exit_code, 0);
  EXPECT_TRUE(get_json("/api/v1/packages/signedtrace")["signature"].is_null());
  page = hub_->client().Get("/p/signedtrace/1.1.0");
  ASSERT_TRUE(page);
  EXPECT_NE(page->body.find(">Unsigned</p>"), std::string::npos);
}

// The hub verifies what it is sent: a package changed after signing, or a signature made
// for another version, is refused with one line (exit 3), and nothing is stored.
TEST_F(HubSignatureTest, SignatureThatDoesNotVerifyIsRefused) {
  fs::path dir = signed_dir("badsig", "1.0.0");
  write_file_text(dir / "package.json", read_file_text(dir / "package.json") + "\n");
  Outcome tampered = lmp_with_hub(*hub_, home_, {"publish", dir.string()});
  EXPECT_EQ(tampered.exit_code, 3) << tampered.err;
  EXPECT_NE(tampered.err.find("lmp.sig: package.json was changed after signing"), std::string::npos)
      << tampered.err;
  EXPECT_EQ(std::count(tampered.err.begin(), tampered.err.end(), '\n'), 1) << tampered.err;

  fs::path other = signed_dir("badsig", "2.0.0");
  fs::path moved = scratch_.path() / "moved";
  make_publish_dir(moved, opentrace_package_dir(), "badsig", "2.0.1");
  fs::copy_file(other / "lmp.sig", moved / "lmp.sig");
  Outcome wrong_version = lmp_with_hub(*hub_, home_, {"publish", moved.string()});
  EXPECT_EQ(wrong_version.exit_code, 3) << wrong_version.err;
  EXPECT_NE(wrong_version.err.find("lmp.sig: signed for version 2.0.0, not 2.0.1"),
            std::string::npos)
      << wrong_version.err;

  // Straight to the API: a truncated signature.
  std::string token = hub_login(*hub_, "signer", kPasswordHubSignature);
  ASSERT_FALSE(token.empty());
  std::string signature = read_file_text(other / "lmp.sig");
  auto res = hub_publish(*hub_, token,
                         {{"package.json", read_file_text(other / "package.json")},
                          {"config.json", read_file_text(other / "config.json")},
                          {"lmp.sig", signature.substr(0, 40)}});
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 400) << res->body;
  EXPECT_NE(res->body.find("lmp.sig is not a package signature"), std::string::npos) << res->body;

  auto api = hub_->client().Get("/api/v1/packages/badsig");
  ASSERT_TRUE(api);
  EXPECT_EQ(api->status, 404) << api->body;  // nothing of it was stored
}

// lmp-hub import of a signed static repository keeps the signatures (and verifies them).
TEST_F(HubSignatureTest, ImportCarriesSignatures) {
  fs::path src = scratch_.path() / "src";
  fs::path dir = signed_dir("importedtrace", "3.0.0");
  fs::create_directories(src);
  fs::rename(dir, src / "importedtrace");
  fs::path repo = scratch_.path() / "repo";
  Outcome built = run_lmp({"repo", "build", src.string(), repo.string()});
  ASSERT_EQ(built.exit_code, 0) << built.err;
  Outcome imported = hub_->admin({"import", repo.string(), "--owner", "signer"});
  ASSERT_EQ(imported.exit_code, 0) << imported.err;
  json api = get_json("/api/v1/packages/importedtrace");
  EXPECT_EQ(api["signature"]["key"], fingerprint()) << api.dump();
  auto served = hub_->client().Get("/importedtrace/3.0.0/lmp.sig");
  ASSERT_TRUE(served);
  EXPECT_EQ(served->body, read_file_text(src / "importedtrace/lmp.sig"));
}

}  // namespace
}  // namespace lmp::test
