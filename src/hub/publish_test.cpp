#include "hub/publish.h"

#include <gtest/gtest.h>

#include "hub/hub_test_util.h"
#include "registry/signature_test_util.h"

namespace lmp::hub {
namespace {

using testing::config_text;
using testing::version_files;

class PublishTest : public testing::HubFixture {
 protected:
  // Publishing `files` fails with `code`, and nothing is stored.
  void expect_refused(const std::map<std::string, std::string>& files, ExitCode code,
                      const std::string& message_part) {
    std::size_t blobs_before = blob_count();
    auto before = storage_->index_generation();
    auto published = publish_upload(*storage_, *blobs_, alice_, files);
    ASSERT_FALSE(published);
    EXPECT_EQ(published.error().code, code) << published.error().message;
    EXPECT_NE(published.error().message.find(message_part), std::string::npos)
        << published.error().message;
    EXPECT_EQ(blob_count(), blobs_before);
    EXPECT_EQ(*storage_->index_generation(), *before);
  }
};

TEST_F(PublishTest, StoresAValidVersion) {
  auto published = publish_upload(*storage_, *blobs_, alice_, version_files("runqlat", "1.0.0"));
  ASSERT_TRUE(published) << published.error().message;
  EXPECT_EQ(published->name, "runqlat");
  EXPECT_EQ(published->version, "1.0.0");
  ASSERT_EQ(published->files.size(), 3u);
  EXPECT_EQ(published->files[0].name, "README.md");
  for (const StoredFile& f : published->files) EXPECT_TRUE(blobs_->contains(f.sha256));

  auto package = storage_->package("runqlat", 0);
  ASSERT_TRUE(package && *package);
  const VersionRecord& v = (*package)->versions.at(0);
  EXPECT_EQ(v.summary, "measures things");
  EXPECT_EQ(v.author, "Alice");
  EXPECT_EQ(v.category, "scheduler");
  EXPECT_EQ(v.publisher, "alice");
  EXPECT_EQ(v.program_types, (std::vector<std::string>{"tc", "tp_btf"}));
  auto details = nlohmann::json::parse(v.details);
  EXPECT_EQ(details["programs"].size(), 2u);
  EXPECT_EQ((*package)->owners, std::vector<std::string>{"alice"});
}

TEST_F(PublishTest, WasmOnlyVersion) {
  auto files = version_files("hello", "0.1.0");
  files.erase("package.json");
  files["app.wasm"] = std::string("\0asm\1\0\0\0", 8);
  auto published = publish_upload(*storage_, *blobs_, alice_, files);
  ASSERT_TRUE(published) << published.error().message;
}

TEST_F(PublishTest, RefusesUnknownAndMissingFiles) {
  auto files = version_files("tool", "1.0.0");
  files["run.sh"] = "#!/bin/sh";
  expect_refused(files, ExitCode::kUsage, "unexpected file 'run.sh'");

  files = version_files("tool", "1.0.0");
  files.erase("config.json");
  expect_refused(files, ExitCode::kUsage, "config.json is missing");

  files = version_files("tool", "1.0.0");
  files.erase("package.json");
  expect_refused(files, ExitCode::kUsage, "neither package.json nor app.wasm");
}

TEST_F(PublishTest, RefusesBadConfig) {
  auto with_config = [](const std::string& config) {
    auto files = version_files("tool", "1.0.0");
    files["config.json"] = config;
    return files;
  };
  expect_refused(with_config("{"), ExitCode::kBadPackage, "config.json");
  expect_refused(with_config(config_text("Bad_Name", "1.0.0")), ExitCode::kBadPackage, "name");
  expect_refused(with_config(config_text("tool", "1.0")), ExitCode::kBadPackage, "version");
  expect_refused(with_config(config_text("tool", "1.0.0-" + std::string(60, 'a'))),
                 ExitCode::kBadPackage, "longer than 64");
  expect_refused(with_config(R"({"name": "tool", "version": "1.0.0", "description": "d"})"),
                 ExitCode::kBadPackage, "author");
  expect_refused(with_config(R"({"name": "tool", "version": "1.0.0", "author": "a"})"),
                 ExitCode::kBadPackage, "description");
  expect_refused(with_config(config_text("tool", "1.0.0") + std::string(64 * 1024, ' ')),
                 ExitCode::kBadPackage, "64 KiB");
}

TEST_F(PublishTest, RefusesBadPackageWasmAndReadme) {
  auto files = version_files("tool", "1.0.0");
  files["package.json"] = R"({"bpf_object": "AAAA", "bpf_object_size": 3, "meta": {}})";
  expect_refused(files, ExitCode::kBadPackage, "package.json");

  files = version_files("tool", "1.0.0");
  files["package.json"] = "not json at all";
  expect_refused(files, ExitCode::kBadPackage, "package.json");

  files = version_files("tool", "1.0.0");
  files["app.wasm"] = std::string("\0asm\2\0\0\0", 8);
  expect_refused(files, ExitCode::kBadPackage, "app.wasm");

  files = version_files("tool", "1.0.0");
  files["README.md"] = "caf\xc3";
  expect_refused(files, ExitCode::kBadPackage, "UTF-8");
  files["README.md"] = "\xed\xa0\x80";  // a surrogate
  expect_refused(files, ExitCode::kBadPackage, "UTF-8");
  files["README.md"] = std::string(1024 * 1024 + 1, 'x');
  expect_refused(files, ExitCode::kBadPackage, "1 MiB");
}

TEST_F(PublishTest, OwnershipAndImmutability) {
  ASSERT_TRUE(publish_upload(*storage_, *blobs_, alice_, version_files("tool", "1.0.0")));
  expect_refused(version_files("tool", "1.0.0"), ExitCode::kConflict, "immutable");

  std::size_t blobs_before = blob_count();
  auto by_bob = publish_upload(*storage_, *blobs_, bob_, version_files("tool", "2.0.0"));
  ASSERT_FALSE(by_bob);
  EXPECT_EQ(by_bob.error().code, ExitCode::kPermission);
  EXPECT_EQ(blob_count(), blobs_before);
}

// A signed upload is verified over the files sent with it; the signer's key is stored with
// the version and lmp.sig with the other files (so the static repository lists it).
TEST_F(PublishTest, StoresAVerifiedSignature) {
  registry::KeyPair key = *registry::generate_key("alice-release");
  auto files = version_files("signed", "1.0.0");
  files["lmp.sig"] = registry::testing::signature_for(files, key);
  auto published = publish_upload(*storage_, *blobs_, alice_, files);
  ASSERT_TRUE(published) << published.error().message;
  ASSERT_EQ(published->files.size(), 4u);
  EXPECT_EQ(published->files[2].name, "lmp.sig");  // sorted: README.md, config.json, lmp.sig

  auto package = storage_->package("signed", 0);
  ASSERT_TRUE(package && *package);
  const VersionRecord& v = (*package)->versions.at(0);
  EXPECT_EQ(v.signer_key, registry::key_fingerprint(key.public_key));
  EXPECT_EQ(v.signer_name, "alice-release");
  auto index = storage_->index();
  ASSERT_TRUE(index);
  EXPECT_TRUE(index->find("signed")->find("1.0.0")->file("lmp.sig"));

  ASSERT_TRUE(publish_upload(*storage_, *blobs_, alice_, version_files("signed", "1.1.0")));
  package = storage_->package("signed", 0);
  EXPECT_EQ((*package)->versions.at(0).version, "1.1.0");
  EXPECT_EQ((*package)->versions.at(0).signer_key, "");  // unsigned
  EXPECT_EQ((*package)->versions.at(1).signer_name, "alice-release");
}

TEST_F(PublishTest, RefusesASignatureThatDoesNotVerify) {
  registry::KeyPair key = *registry::generate_key("k");
  auto files = version_files("tool", "1.0.0");
  std::string signature = registry::testing::signature_for(files, key);

  auto tampered = files;
  tampered["package.json"] = version_files("other", "1.0.0")["package.json"] + " ";
  tampered["lmp.sig"] = signature;
  expect_refused(tampered, ExitCode::kBadPackage,
                 "lmp.sig: package.json was changed after signing");

  auto other_version = version_files("tool", "1.0.1");
  other_version["lmp.sig"] = signature;
  expect_refused(other_version, ExitCode::kBadPackage, "lmp.sig: signed for version ");

  files["lmp.sig"] = signature.substr(0, signature.size() / 2);
  expect_refused(files, ExitCode::kBadPackage, "lmp.sig is not a package signature (truncated");

  files["lmp.sig"] = std::string(64 * 1024 + 1, ' ');
  expect_refused(files, ExitCode::kBadPackage, "larger than 64 KiB");
}

TEST(PublishStatusTest, ErrorsMapToStatuses) {
  EXPECT_EQ(http_status(Error{ExitCode::kBadPackage, "", ""}), 400);
  EXPECT_EQ(http_status(Error{ExitCode::kUsage, "", ""}), 400);
  EXPECT_EQ(http_status(Error{ExitCode::kPermission, "", ""}), 403);
  EXPECT_EQ(http_status(Error{ExitCode::kNotFound, "", ""}), 404);
  EXPECT_EQ(http_status(Error{ExitCode::kConflict, "", ""}), 409);
  EXPECT_EQ(http_status(Error{ExitCode::kFailure, "", ""}), 500);
}

}  // namespace
}  // namespace lmp::hub
