#include "registry/signing_keys.h"

#include <sys/stat.h>

#include <fstream>

#include <gtest/gtest.h>

namespace lmp::registry {
namespace {

namespace fs = std::filesystem;

class SigningKeysTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("lmp-signing-keys-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path keys() const { return dir_ / "keys"; }
  KeyPair make(const std::string& name) {
    KeyPair key = *generate_key(name);
    EXPECT_TRUE(write_key_pair(key, keys()));
    return key;
  }
  fs::path dir_;
};

TEST_F(SigningKeysTest, ListsKeysAndChoosesTheOnlyOne) {
  EXPECT_TRUE(list_keys(keys())->empty());  // no directory yet
  auto none = choose_signing_key("", keys());
  ASSERT_FALSE(none);
  EXPECT_EQ(none.error().code, ExitCode::kNotFound);
  KeyPair alice = make("alice");
  auto listed = list_keys(keys());
  ASSERT_TRUE(listed) << listed.error().message;
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_EQ((*listed)[0].name, "alice");
  EXPECT_EQ((*listed)[0].fingerprint, key_fingerprint(alice.public_key));
  EXPECT_TRUE((*listed)[0].has_secret);
  auto only = choose_signing_key("", keys());
  ASSERT_TRUE(only) << only.error().message;
  EXPECT_EQ(only->secret_key, alice.secret_key);

  make("bob");
  auto which = choose_signing_key("", keys());
  ASSERT_FALSE(which);
  EXPECT_EQ(which.error().code, ExitCode::kUsage);
  EXPECT_NE(which.error().message.find("alice, bob"), std::string::npos);
  EXPECT_NE(which.error().hint.find("--key"), std::string::npos);
  EXPECT_TRUE(choose_signing_key("bob", keys()));
  EXPECT_TRUE(choose_signing_key((keys() / "bob.key").string(), keys()));
  EXPECT_EQ(choose_signing_key("carol", keys()).error().code, ExitCode::kNotFound);
  // A public key alone (someone else's) is listed, but is not a signing key.
  fs::remove(keys() / "bob.key");
  auto again = list_keys(keys());
  ASSERT_EQ(again->size(), 2u);
  EXPECT_FALSE((*again)[1].has_secret);
  EXPECT_TRUE(choose_signing_key("", keys()));
}

TEST_F(SigningKeysTest, SecretKeyReadableByOthersIsRefused) {
  make("alice");
  ::chmod((keys() / "alice.key").c_str(), 0640);
  auto open = choose_signing_key("", keys());
  ASSERT_FALSE(open);
  EXPECT_EQ(open.error().code, ExitCode::kPermission);
  EXPECT_NE(open.error().hint.find("chmod 600"), std::string::npos);
}

TEST_F(SigningKeysTest, TrustByFileNameOrFingerprint) {
  KeyPair alice = make("alice");
  std::string fingerprint = key_fingerprint(alice.public_key);
  auto by_name = key_to_trust("alice", keys());
  ASSERT_TRUE(by_name) << by_name.error().message;
  EXPECT_EQ(by_name->fingerprint, fingerprint);
  EXPECT_EQ(by_name->name, "alice");
  auto by_print = key_to_trust(fingerprint, keys());
  ASSERT_TRUE(by_print) << by_print.error().message;
  EXPECT_EQ(by_print->public_key, alice.public_key);
  std::ofstream(dir_ / "friend.pub") << public_key_text(*generate_key("friend"));
  auto by_file = key_to_trust((dir_ / "friend.pub").string(), keys());
  ASSERT_TRUE(by_file) << by_file.error().message;
  EXPECT_EQ(by_file->name, "friend");
  // A fingerprint nobody here has cannot verify anything: say what to pass instead.
  auto unknown = key_to_trust("ed25519:" + std::string(32, 'a'), keys());
  ASSERT_FALSE(unknown);
  EXPECT_NE(unknown.error().message.find("a fingerprint alone cannot verify"), std::string::npos);
  EXPECT_NE(unknown.error().hint.find("public key file"), std::string::npos);
  std::ofstream(dir_ / "junk.pub") << "ssh-ed25519 AAAA x\n";
  EXPECT_EQ(key_to_trust((dir_ / "junk.pub").string(), keys()).error().code, ExitCode::kUsage);
  EXPECT_EQ(key_to_trust("nobody", keys()).error().code, ExitCode::kNotFound);
}

TEST_F(SigningKeysTest, PolicyEditsAddRemoveRevoke) {
  KeyPair alice = make("alice");
  TrustPolicy policy;
  TrustedKey key = *key_to_trust("alice", keys());
  EXPECT_TRUE(add_trusted_key(policy, key));
  EXPECT_FALSE(add_trusted_key(policy, key));  // the same rule again
  key.for_names = "net-*";
  EXPECT_TRUE(add_trusted_key(policy, key));
  EXPECT_EQ(remove_trusted_keys(policy, "alice"), 2u);
  EXPECT_TRUE(policy.keys.empty());
  std::string fingerprint = key_fingerprint(alice.public_key);
  EXPECT_TRUE(*revoke_key(policy, fingerprint, false));
  EXPECT_FALSE(*revoke_key(policy, fingerprint, false));
  EXPECT_EQ(policy.revoked.size(), 1u);
  EXPECT_TRUE(*revoke_key(policy, fingerprint, true));
  EXPECT_TRUE(policy.revoked.empty());
  EXPECT_EQ(revoke_key(policy, "alice", false).error().code, ExitCode::kUsage);
}

}  // namespace
}  // namespace lmp::registry
