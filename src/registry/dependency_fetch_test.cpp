#include "registry/dependency_fetch.h"

#include <unistd.h>

#include <cstdlib>
#include <fstream>

#include <gtest/gtest.h>

#include "registry/digest.h"
#include "registry/repo_builder.h"

namespace lmp::registry {
namespace {

namespace fs = std::filesystem;

void spit(const fs::path& path, const std::string& text) {
  fs::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary) << text;
}

std::string config(const std::string& name, const std::string& deps) {
  return R"({"name":")" + name + R"(","version":"1.0.0","author":"t","description":"d")" +
         (deps.empty() ? "" : ",\"dependencies\":" + deps) + "}";
}

// resolve_and_fetch() against a file:// repository and a cache in a temp dir (LMP_HOME).
TEST(ResolveAndFetch, DependencyOrderRootLastThenOffline) {
  fs::path dir = fs::temp_directory_path() / ("lmp-fetch-test-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  spit(dir / "src/base/package.json", "{\"base\":1}");
  spit(dir / "src/base/config.json", config("base", ""));
  spit(dir / "src/left/package.json", "{\"left\":1}");
  spit(dir / "src/left/config.json", config("left", R"({"base":"^1"})"));
  ASSERT_TRUE(build_repository(dir / "src", dir / "repo"));
  spit(dir / "app/package.json", "{\"app\":1}");
  spit(dir / "app/config.json", config("app", R"({"left":"*"})"));
  ::setenv("LMP_HOME", (dir / "home").c_str(), 1);
  ::setenv("LMP_REPOSITORY", ("file://" + (dir / "repo").string()).c_str(), 1);

  auto got = resolve_and_fetch(dir / "app");
  ASSERT_TRUE(got) << got.error().message;
  ASSERT_EQ(got->size(), 3u);
  EXPECT_EQ((*got)[0].name, "base");
  EXPECT_EQ((*got)[1].name, "left");
  EXPECT_EQ((*got)[2].name, "app");
  EXPECT_EQ((*got)[0].main_file, dir / "home/packages/base/1.0.0/package.json");
  EXPECT_EQ((*got)[0].sha256, sha256_hex("{\"base\":1}"));
  EXPECT_EQ((*got)[0].source, "file://" + (dir / "repo").string());
  EXPECT_EQ((*got)[2].main_file, dir / "app/package.json");
  EXPECT_EQ((*got)[2].sha256, sha256_hex("{\"app\":1}"));

  fs::remove_all(dir / "repo");  // offline: the cache has every version
  got = resolve_and_fetch(dir / "app");
  ASSERT_TRUE(got) << got.error().message;
  EXPECT_EQ(got->size(), 3u);

  ::unsetenv("LMP_HOME");
  ::unsetenv("LMP_REPOSITORY");
  fs::remove_all(dir);
}

}  // namespace
}  // namespace lmp::registry
