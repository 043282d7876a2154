#include "registry/signing.h"

#include <sys/stat.h>

#include <fstream>

#include <gtest/gtest.h>

#include "common/file.h"
#include "registry/digest.h"

namespace lmp::registry {
namespace {

namespace fs = std::filesystem;

class SigningTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("lmp-signing-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_ / "pkg");
    write("pkg/package.json", R"({"bpf_object": "", "meta": {"bpf_skel": {"obj_name": "demo"}}})");
    write("pkg/config.json", R"({"name": "demo", "version": "1.0.0"})");
  }
  void TearDown() override { fs::remove_all(dir_); }
  void write(const std::string& name, const std::string& text) {
    std::ofstream(dir_ / name, std::ios::binary) << text;
  }
  fs::path pkg() const { return dir_ / "pkg"; }
  fs::path dir_;
};

TEST_F(SigningTest, SignVerifyRoundTripAndTampering) {
  KeyPair key = *generate_key("alice");
  ASSERT_TRUE(sign_package(pkg(), key));
  auto verified = verify_package(pkg());
  ASSERT_TRUE(verified) << verified.error().message;
  ASSERT_TRUE(*verified);
  EXPECT_EQ((*verified)->fingerprint, key_fingerprint(key.public_key));
  EXPECT_EQ((*verified)->manifest.name, "demo");
  EXPECT_EQ((*verified)->manifest.files.size(), 2u);

  write("pkg/package.json", R"({"bpf_object": "x", "meta": {"bpf_skel": {"obj_name": "demo"}}})");
  auto tampered = verify_package(pkg());
  ASSERT_FALSE(tampered);
  EXPECT_EQ(tampered.error().code, ExitCode::kBadPackage);
  EXPECT_NE(tampered.error().message.find("package.json was changed after signing"),
            std::string::npos);

  // Signed for 1.0.0, moved to 1.1.0: a signature cannot travel to another version.
  write("pkg/package.json", R"({"bpf_object": "", "meta": {"bpf_skel": {"obj_name": "demo"}}})");
  ASSERT_TRUE(verify_package(pkg()));
  ASSERT_TRUE(sign_package(pkg(), key));
  write("pkg/config.json", R"({"name": "demo", "version": "1.1.0"})");
  ASSERT_TRUE(sign_package(pkg(), key));  // re-signed: fine
  std::string sig = *read_file(pkg() / kSignatureFile);
  write("pkg/config.json", R"({"name": "demo", "version": "1.0.0"})");
  auto other_version = verify_package(pkg());
  ASSERT_FALSE(other_version);

  // An added file and a truncated signature.
  write("pkg/config.json", R"({"name": "demo", "version": "1.1.0"})");
  ASSERT_TRUE(verify_package(pkg()));
  write("pkg/app.wasm", "\0asm");
  EXPECT_NE(verify_package(pkg()).error().message.find("app.wasm was added after signing"),
            std::string::npos);
  fs::remove(pkg() / "app.wasm");
  write("pkg/lmp.sig", sig.substr(0, sig.size() / 2));
  EXPECT_NE(verify_package(pkg()).error().message.find("truncated"), std::string::npos);
  fs::remove(pkg() / kSignatureFile);
  auto none = verify_package(pkg());
  ASSERT_TRUE(none);
  EXPECT_FALSE(*none);
}

TEST_F(SigningTest, KeysAreWrittenPrivateAndReadBack) {
  KeyPair key = *generate_key("build-key");
  ASSERT_TRUE(write_key_pair(key, dir_ / "keys"));
  struct stat st {};
  ASSERT_EQ(::stat((dir_ / "keys/build-key.key").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  auto again = read_key("build-key", dir_ / "keys", true);
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_EQ(again->public_key, key.public_key);
  auto pub = read_key((dir_ / "keys/build-key.pub").string(), dir_, false);
  ASSERT_TRUE(pub) << pub.error().message;
  EXPECT_EQ(pub->public_key, key.public_key);
  EXPECT_EQ(write_key_pair(key, dir_ / "keys").error().code, ExitCode::kConflict);
  ::chmod((dir_ / "keys/build-key.key").c_str(), 0644);
  auto open = read_key("build-key", dir_ / "keys", true);
  ASSERT_FALSE(open);
  EXPECT_EQ(open.error().code, ExitCode::kPermission);
  EXPECT_FALSE(generate_key("../x"));
  EXPECT_FALSE(parse_public_key("ssh-rsa AAAA x"));
}

TEST_F(SigningTest, PolicyModesTrustedUntrustedAndRevokedKeys) {
  KeyPair key = *generate_key("alice");
  TrustPolicy policy;  // warn, nobody trusted
  auto unsigned_warn = check_trust(pkg(), "demo", policy, std::nullopt);
  ASSERT_TRUE(unsigned_warn);
  EXPECT_NE(unsigned_warn->find("not signed"), std::string::npos);
  auto unsigned_require = check_trust(pkg(), "demo", policy, VerifyMode::kRequire);
  ASSERT_FALSE(unsigned_require);
  EXPECT_EQ(unsigned_require.error().code, ExitCode::kPermission);
  EXPECT_EQ(*check_trust(pkg(), "demo", policy, VerifyMode::kOff), "");

  ASSERT_TRUE(sign_package(pkg(), key));
  EXPECT_FALSE(check_trust(pkg(), "demo", policy, VerifyMode::kRequire));  // untrusted key
  TrustedKey trusted{key_fingerprint(key.public_key), key.public_key, "alice", "de*"};
  policy.keys.push_back(trusted);
  auto ok = check_trust(pkg(), "demo", policy, VerifyMode::kRequire);
  ASSERT_TRUE(ok) << ok.error().message;
  EXPECT_EQ(*ok, "");
  EXPECT_FALSE(check_trust(pkg(), "other", policy, VerifyMode::kRequire));  // --for de*
  policy.revoked.push_back(trusted.fingerprint);
  auto revoked = check_trust(pkg(), "demo", policy, std::nullopt);  // warn, still refused
  ASSERT_FALSE(revoked);
  EXPECT_NE(revoked.error().message.find("revoked"), std::string::npos);

  // Per-name modes, and the file round trip.
  policy.revoked.clear();
  policy.per_name["de*"] = VerifyMode::kRequire;
  ASSERT_TRUE(write_trust_policy(dir_, policy));
  auto read = read_trust_policy(dir_);
  ASSERT_TRUE(read) << read.error().message;
  EXPECT_EQ(read->keys.size(), 1u);
  EXPECT_EQ(read->keys[0].for_names, "de*");
  EXPECT_EQ(read->per_name.at("de*"), VerifyMode::kRequire);
  write("trust.json", R"({"verify": "maybe"})");
  auto bad = read_trust_policy(dir_);
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, ExitCode::kUsage);
}

TEST_F(SigningTest, ErrorsNameTheReasonAndTheKey) {
  KeyPair key = *generate_key("alice");
  std::string id = key_fingerprint(key.public_key);
  write("pkg/config.json", R"({"name": "demo", "version": "2.0.0"})");
  ASSERT_TRUE(sign_package(pkg(), key));
  std::string signed_2 = *read_file(pkg() / kSignatureFile);
  write("pkg/config.json", R"({"name": "demo", "version": "1.0.0"})");
  auto other = verify_package(pkg());
  ASSERT_FALSE(other);
  EXPECT_NE(other.error().message.find("signed for version 2.0.0, not 1.0.0 (signed by " + id),
            std::string::npos)
      << other.error().message;
  write("pkg/config.json", R"({"name": "other", "version": "2.0.0"})");
  EXPECT_NE(verify_package(pkg()).error().message.find("signed for demo, not other"),
            std::string::npos);
  // A signature whose bytes were altered: it names the key it claims.
  write("pkg/config.json", R"({"name": "demo", "version": "2.0.0"})");
  std::string forged = signed_2;
  std::size_t at = forged.find("\"signature\": \"") + 14;
  forged[at] = forged[at] == 'A' ? 'B' : 'A';
  write("pkg/lmp.sig", forged);
  auto bad = verify_package(pkg());
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message.find("does not verify (signed by " + id), std::string::npos)
      << bad.error().message;
  // Revoked fingerprints in trust.json must be fingerprints.
  write("trust.json", R"({"revoked": ["ed25519:00"]})");
  auto policy = read_trust_policy(dir_);
  ASSERT_FALSE(policy);
  EXPECT_NE(policy.error().message.find("\"revoked\""), std::string::npos);
  write("trust.json", R"({"keys": [{"public_key": "AAAA"}]})");
  EXPECT_NE(read_trust_policy(dir_).error().message.find("\"keys\"[0].public_key"),
            std::string::npos);
  EXPECT_TRUE(is_fingerprint(id));
  EXPECT_FALSE(is_fingerprint("ed25519:XYZ"));
}

TEST_F(SigningTest, ManifestDigestsAreTheRepositorysSha256) {
  std::string text = *read_file(pkg() / "package.json");
  auto m = manifest_of(pkg());
  ASSERT_TRUE(m);
  EXPECT_EQ(m->files.at("package.json"), sha256_hex(text));
}

TEST(Signing, NamePatterns) {
  EXPECT_TRUE(name_matches("*", "anything"));
  EXPECT_TRUE(name_matches("open*", "opensnoop"));
  EXPECT_TRUE(name_matches("*snoop", "opensnoop"));
  EXPECT_TRUE(name_matches("o*n*p", "opensnoop"));
  EXPECT_FALSE(name_matches("exec*", "opensnoop"));
  EXPECT_FALSE(name_matches("opensnoop", "opensnoopx"));
}

}  // namespace
}  // namespace lmp::registry
