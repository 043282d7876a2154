#include "compiler/libbpf_compat.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <sstream>
#include <string>

#include "common/file.h"

namespace lmp::compiler {
namespace {

namespace fs = std::filesystem;

// Every macro a compatibility header defines sits behind `#ifndef` of the same name, so the
// installed libbpf's own definition wins; the bpf/ headers include the real one first.
TEST(LibbpfCompat, EveryDefinitionYieldsToTheInstalledHeader) {
  for (const auto& header : libbpf_compat_headers()) {
    std::string path(header.path);
    std::string content(header.content);
    if (path.starts_with("bpf/")) {
      EXPECT_NE(content.find("#include_next <" + path + ">"), std::string::npos) << path;
    }
    std::istringstream lines(content);
    std::string line, guarded;
    while (std::getline(lines, line)) {
      if (line.starts_with("#ifndef ")) guarded = line.substr(8);
      if (!line.starts_with("#define ")) continue;
      std::string name = line.substr(8, line.find_first_of(" (", 8) - 8);
      EXPECT_EQ(name, guarded) << path << ": " << line;
    }
  }
}

TEST(LibbpfCompat, WrittenOnceUnderLmpHome) {
  char dir_template[] = "/tmp/lmp-compat-test-XXXXXX";
  ASSERT_TRUE(mkdtemp(dir_template));
  fs::path dir = dir_template;
  const char* old_home = getenv("LMP_HOME");
  std::string saved = old_home ? old_home : "";
  setenv("LMP_HOME", dir.c_str(), 1);
  auto first = libbpf_compat_dir();
  ASSERT_TRUE(first) << first.error().message;
  EXPECT_EQ(first->parent_path(), dir / "cache" / "libbpf-compat");
  for (const auto& header : libbpf_compat_headers()) {
    auto text = read_file(*first / header.path);
    ASSERT_TRUE(text) << header.path;
    EXPECT_EQ(*text, header.content);
  }
  auto second = libbpf_compat_dir();
  ASSERT_TRUE(second);
  EXPECT_EQ(*first, *second);
  if (old_home)
    setenv("LMP_HOME", saved.c_str(), 1);
  else
    unsetenv("LMP_HOME");
  fs::remove_all(dir);
}

}  // namespace
}  // namespace lmp::compiler
