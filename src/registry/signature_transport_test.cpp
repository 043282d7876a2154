#include "registry/signature_transport.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "registry/signature_test_util.h"

namespace lmp::registry {
namespace {

using testing::signature_for;

std::map<std::string, std::string> demo_files(const std::string& version) {
  return {{"package.json", R"({"bpf_object": "", "meta": {"bpf_skel": {"obj_name": "demo"}}})"},
          {"config.json", R"({"name": "demo", "version": ")" + version + R"("})"},
          {"README.md", "# demo\n"}};
}

TEST(SignatureTransportTest, SummaryOfAWellFormedSignature) {
  KeyPair key = *generate_key("release-key");
  std::string signature = signature_for(demo_files("1.0.0"), key);
  ASSERT_FALSE(signature.empty());
  auto summary = parse_signature_summary(signature);
  ASSERT_TRUE(summary) << summary.error().message;
  EXPECT_EQ(summary->key, key_fingerprint(key.public_key));
  EXPECT_EQ(summary->key_name, "release-key");
  EXPECT_EQ(summary->name, "demo");
  EXPECT_EQ(summary->version, "1.0.0");
}

TEST(SignatureTransportTest, TruncatedOrForeignFilesAreNotSignatures) {
  std::string signature = signature_for(demo_files("1.0.0"), *generate_key("k"));
  for (std::size_t cut :
       {std::size_t{0}, std::size_t{1}, signature.size() / 2, signature.size() - 3}) {
    auto summary = parse_signature_summary(signature.substr(0, cut));
    ASSERT_FALSE(summary) << cut;
    EXPECT_EQ(summary.error().code, ExitCode::kBadPackage);
    EXPECT_NE(summary.error().message.find("lmp.sig is not a package signature"), std::string::npos)
        << summary.error().message;
  }
  EXPECT_FALSE(parse_signature_summary(R"({"format": "lmp-signature-v2"})"));
  EXPECT_FALSE(parse_signature_summary("[1, 2]"));
  EXPECT_FALSE(parse_signature_summary(std::string(kMaxSignatureFileBytes + 1, ' ')));
  // The fields a signature needs, each with the right type.
  auto doc = nlohmann::json::parse(signature);
  doc["key"] = 7;
  EXPECT_FALSE(parse_signature_summary(doc.dump()));
}

TEST(SignatureTransportTest, VerifiesUploadedFiles) {
  KeyPair key = *generate_key("alice");
  auto files = demo_files("1.0.0");
  EXPECT_FALSE(*verify_package_files(files));  // unsigned: nothing to verify
  files["lmp.sig"] = signature_for(files, key);
  auto verified = verify_package_files(files);
  ASSERT_TRUE(verified) << verified.error().message;
  ASSERT_TRUE(*verified);
  EXPECT_EQ((*verified)->fingerprint, key_fingerprint(key.public_key));
  EXPECT_EQ((*verified)->key_name, "alice");

  // README.md is not signed: changing it is fine; changing package.json is not.
  files["README.md"] = "# other text\n";
  EXPECT_TRUE(verify_package_files(files));
  auto tampered = files;
  tampered["package.json"] += " ";
  auto refused = verify_package_files(tampered);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ExitCode::kBadPackage);
  EXPECT_EQ(refused.error().message, "lmp.sig: package.json was changed after signing (signed by " +
                                         key_fingerprint(key.public_key) + ")");
  EXPECT_NE(refused.error().hint.find("lmp sign"), std::string::npos);
}

TEST(SignatureTransportTest, ASignatureForAnotherVersionIsRefused) {
  KeyPair key = *generate_key("alice");
  auto files = demo_files("1.1.0");
  files["lmp.sig"] = signature_for(demo_files("1.0.0"), key);
  auto refused = verify_package_files(files);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ExitCode::kBadPackage);
  // The version is checked before the digests: the message names both versions.
  EXPECT_EQ(refused.error().message, "lmp.sig: signed for version 1.0.0, not 1.1.0 (signed by " +
                                         key_fingerprint(key.public_key) + ")");
}

}  // namespace
}  // namespace lmp::registry
