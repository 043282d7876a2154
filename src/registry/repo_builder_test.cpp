#include "registry/repo_builder.h"

#include <unistd.h>

#include <fstream>

#include <gtest/gtest.h>

#include "common/file.h"
#include "registry/index.h"
#include "registry/signing.h"

namespace lmp::registry {
namespace {

namespace fs = std::filesystem;

class RepoBuilderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() /
            ("lmp-repo-builder-test-" + std::to_string(::getpid()) + "-" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(root_);
    package(root_ / "src/tool", "tool");
  }
  void TearDown() override { fs::remove_all(root_); }

  static void package(const fs::path& dir, const std::string& name) {
    fs::create_directories(dir);
    std::ofstream(dir / "package.json") << "{}";
    std::ofstream(dir / "config.json")
        << R"({"name":")" << name << R"(","version":"1.0.0","author":"t","description":"d"})";
  }

  fs::path root_;
};

// What is published must come from regular files of the source tree: a link to a file
// elsewhere (README.md -> /etc/passwd) is refused, not followed.
TEST_F(RepoBuilderTest, SymlinkedFilesAreRefused) {
  fs::create_symlink("/etc/passwd", root_ / "src/tool/README.md");
  auto built = build_repository(root_ / "src", root_ / "out");
  ASSERT_FALSE(built);
  EXPECT_EQ(built.error().code, ExitCode::kBadPackage);
  EXPECT_NE(built.error().message.find("README.md is a symbolic link"), std::string::npos)
      << built.error().message;
  EXPECT_FALSE(fs::exists(root_ / "out/tool/1.0.0/README.md"));

  fs::remove(root_ / "src/tool/README.md");
  fs::create_symlink("/etc/hostname", root_ / "src/tool/package.json.tmp");
  fs::remove(root_ / "src/tool/package.json");
  fs::rename(root_ / "src/tool/package.json.tmp", root_ / "src/tool/package.json");
  EXPECT_FALSE(build_repository(root_ / "src", root_ / "out"));
}

// A linked directory may lead anywhere on the machine: it is not followed.
TEST_F(RepoBuilderTest, LinkedDirectoriesAreNotFollowed) {
  package(root_ / "elsewhere/secret", "secret");
  fs::create_directory_symlink(root_ / "elsewhere/secret", root_ / "src/secret");
  auto built = build_repository(root_ / "src", root_ / "out");
  ASSERT_TRUE(built) << built.error().message;
  ASSERT_EQ(built->size(), 1u);
  EXPECT_EQ(built->front().name, "tool");
  EXPECT_FALSE(fs::exists(root_ / "out/secret"));
}

// A signed package's lmp.sig is copied beside its files (the version's and the latest
// copy) and listed in index.json with its digest and size; it still verifies there.
TEST_F(RepoBuilderTest, SignatureIsCopiedAndListed) {
  KeyPair key = *generate_key("builder");
  ASSERT_TRUE(sign_package(root_ / "src/tool", key));
  package(root_ / "src/plain", "plain");
  auto built = build_repository(root_ / "src", root_ / "out");
  ASSERT_TRUE(built) << built.error().message;
  for (const char* dir : {"out/tool/1.0.0", "out/tool"}) {
    EXPECT_EQ(*read_file(root_ / dir / "lmp.sig"), *read_file(root_ / "src/tool/lmp.sig")) << dir;
    auto verified = verify_package(root_ / dir);
    ASSERT_TRUE(verified) << verified.error().message;
    ASSERT_TRUE(*verified) << dir;
    EXPECT_EQ((*verified)->fingerprint, key_fingerprint(key.public_key));
  }
  auto index = parse_index(*read_file(root_ / "out/index.json"));
  ASSERT_TRUE(index) << index.error().message;
  const FileEntry* listed = index->find("tool")->find("1.0.0")->file("lmp.sig");
  ASSERT_TRUE(listed);
  EXPECT_EQ(listed->size, read_file(root_ / "src/tool/lmp.sig")->size());
  EXPECT_EQ(index->find("plain")->find("1.0.0")->file("lmp.sig"), nullptr);
  EXPECT_FALSE(fs::exists(root_ / "out/plain/lmp.sig"));
}

// A package rebuilt after it was signed carries a signature its files contradict: the
// repository refuses it (with or without --force) before writing anything.
TEST_F(RepoBuilderTest, StaleSignatureIsRefused) {
  ASSERT_TRUE(sign_package(root_ / "src/tool", *generate_key("builder")));
  std::ofstream(root_ / "src/tool/package.json") << "{\"rebuilt\": true}";
  for (bool force : {false, true}) {
    auto built = build_repository(root_ / "src", root_ / "out", force);
    ASSERT_FALSE(built);
    EXPECT_EQ(built.error().code, ExitCode::kBadPackage);
    EXPECT_NE(built.error().message.find("package.json was changed after signing"),
              std::string::npos)
        << built.error().message;
    EXPECT_NE(built.error().hint.find("lmp sign"), std::string::npos);
    EXPECT_FALSE(fs::exists(root_ / "out/index.json"));
  }
}

}  // namespace
}  // namespace lmp::registry
