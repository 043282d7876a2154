#include "registry/repo_builder.h"

#include <unistd.h>

#include <fstream>

#include <gtest/gtest.h>

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

}  // namespace
}  // namespace lmp::registry
