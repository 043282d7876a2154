#include "loader/elf_targets.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include "loader/attach_targets.h"

#if __has_include(<sys/sdt.h>)
#include <sys/sdt.h>
#define LMP_HAVE_SDT 1
#endif

namespace lmp::loader {
namespace {

namespace fs = std::filesystem;

// A function of this binary that stays in its symbol table.
extern "C" __attribute__((noinline, used)) int lmp_elf_targets_test_function(int x) {
#ifdef LMP_HAVE_SDT
  DTRACE_PROBE1(lmp_test, elf_targets_probe, x);
#endif
  return x + 1;
}

std::string self() {
  return fs::read_symlink("/proc/self/exe").string();
}

TEST(ElfTargets, FindsFunctionsInTheSymbolTables) {
  EXPECT_EQ(lmp_elf_targets_test_function(1), 2);
  EXPECT_TRUE(elf_defines_function(self(), "lmp_elf_targets_test_function").value());
  EXPECT_FALSE(elf_defines_function(self(), "lmp_elf_targets_no_such_function").value());
  // A prefix of a defined name is not that name.
  EXPECT_FALSE(elf_defines_function(self(), "lmp_elf_targets_test_func").value());
  // libc's exported functions are in its dynamic symbol table.
  auto libc = resolve_binary("libc.so.6");
  ASSERT_TRUE(libc) << libc.error().message;
  EXPECT_TRUE(elf_defines_function(*libc, "malloc").value());
  EXPECT_FALSE(elf_defines_function(*libc, "lmp_not_in_libc").value());
}

TEST(ElfTargets, FindsUsdtProbes) {
#ifndef LMP_HAVE_SDT
  GTEST_SKIP() << "sys/sdt.h is not installed (systemtap-sdt-dev)";
#else
  EXPECT_TRUE(elf_has_usdt(self(), "lmp_test", "elf_targets_probe").value());
  EXPECT_FALSE(elf_has_usdt(self(), "lmp_test", "no_such_probe").value());
  EXPECT_FALSE(elf_has_usdt(self(), "no_such_provider", "elf_targets_probe").value());
#endif
}

TEST(ElfTargets, BadFilesAreErrorsNamingTheFile) {
  fs::path dir = fs::temp_directory_path() / ("lmp-elf-targets-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  auto missing = elf_defines_function((dir / "missing").string(), "f");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, ExitCode::kNotFound);

  std::ofstream(dir / "text") << "#!/bin/sh\necho hi\n";
  auto text = elf_defines_function((dir / "text").string(), "f");
  ASSERT_FALSE(text);
  EXPECT_EQ(text.error().code, ExitCode::kBadPackage);
  EXPECT_NE(text.error().message.find("is not an ELF file"), std::string::npos);

  // The first 200 bytes of this binary: a header whose section headers are past the end.
  std::ifstream in(self(), std::ios::binary);
  std::string head(200, '\0');
  in.read(head.data(), static_cast<std::streamsize>(head.size()));
  std::ofstream(dir / "truncated", std::ios::binary) << head;
  auto truncated = elf_has_usdt((dir / "truncated").string(), "p", "n");
  ASSERT_FALSE(truncated);
  EXPECT_NE(truncated.error().message.find("truncated"), std::string::npos);

  std::ofstream(dir / "empty").close();
  EXPECT_FALSE(elf_defines_function((dir / "empty").string(), "f"));
  fs::remove_all(dir);
}

}  // namespace
}  // namespace lmp::loader
