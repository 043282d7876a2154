#include "compiler/vmlinux.h"

#include <bpf/btf.h>
#include <gtest/gtest.h>
#include <stdlib.h>

#include <fstream>

#include "common/file.h"
#include "compiler/btf_text.h"
#include "compiler/clang_driver.h"

namespace lmp::compiler {
namespace {

namespace fs = std::filesystem;

BtfPtr small_btf() {
  BtfPtr b(btf__new_empty());
  int u32 = btf__add_int(b.get(), "unsigned int", 4, 0);
  btf__add_struct(b.get(), "task_info", 8);
  btf__add_field(b.get(), "pid", u32, 0, 0);
  btf__add_field(b.get(), "tgid", u32, 32, 0);
  return b;
}

TEST(Vmlinux, HeaderHasGuardsPragmaAndTypes) {
  BtfPtr b = small_btf();
  auto text = render_vmlinux_header(b.get());
  ASSERT_TRUE(text) << text.error().message;
  EXPECT_NE(text->find("#ifndef __VMLINUX_H__"), std::string::npos);
  EXPECT_NE(text->find("#pragma clang attribute push (__attribute__((preserve_access_index)), "
                       "apply_to = record)"),
            std::string::npos);
  EXPECT_NE(text->find("struct task_info {"), std::string::npos) << *text;
  EXPECT_NE(text->find("#pragma clang attribute pop"), std::string::npos);
}

TEST(Vmlinux, CachedPerBtfContent) {
  char dir_template[] = "/tmp/lmp-vmlinux-test-XXXXXX";
  ASSERT_TRUE(mkdtemp(dir_template));
  fs::path dir = dir_template;
  const char* old_home = getenv("LMP_HOME");
  std::string saved = old_home ? old_home : "";
  setenv("LMP_HOME", (dir / "home").c_str(), 1);

  BtfPtr b = small_btf();
  uint32_t size = 0;
  const void* raw = btf__raw_data(b.get(), &size);
  ASSERT_TRUE(write_file_atomic(dir / "btf.raw", {static_cast<const char*>(raw), size}));
  auto first = vmlinux_header_dir(dir / "btf.raw");
  ASSERT_TRUE(first) << first.error().message;
  EXPECT_TRUE(fs::is_regular_file(*first / "vmlinux.h"));
  EXPECT_EQ(first->parent_path(), dir / "home" / "cache" / "vmlinux");
  auto second = vmlinux_header_dir(dir / "btf.raw");
  ASSERT_TRUE(second);
  EXPECT_EQ(*first, *second);

  auto missing = vmlinux_header_dir(dir / "nope");
  EXPECT_FALSE(missing);
  ASSERT_TRUE(write_file_atomic(dir / "garbage", "not btf"));
  EXPECT_FALSE(vmlinux_header_dir(dir / "garbage"));

  if (old_home)
    setenv("LMP_HOME", saved.c_str(), 1);
  else
    unsetenv("LMP_HOME");
  fs::remove_all(dir);
}

TEST(ClangDriver, TargetArchFromMachine) {
  EXPECT_EQ(target_arch("x86_64"), "x86");
  EXPECT_EQ(target_arch("aarch64"), "arm64");
  EXPECT_EQ(target_arch("armv7l"), "arm");
  EXPECT_EQ(target_arch("riscv64"), "riscv");
  EXPECT_EQ(target_arch("ppc64le"), "powerpc");
  EXPECT_EQ(target_arch("s390x"), "s390");
  EXPECT_EQ(target_arch("loongarch64"), "loongarch");
  EXPECT_EQ(target_arch("vax"), "");
}

TEST(ClangDriver, CommandLine) {
  auto argv = clang_command("/usr/bin/clang", {"src/x.bpf.c", "out/x.o", "/cache/v", "pre.h"});
  auto has = [&](std::string_view arg) {
    return std::find(argv.begin(), argv.end(), arg) != argv.end();
  };
  EXPECT_EQ(argv[0], "/usr/bin/clang");
  EXPECT_TRUE(has("-g"));
  EXPECT_TRUE(has("-O2"));
  EXPECT_TRUE(has("bpf"));
  EXPECT_TRUE(has("-I/cache/v"));
  EXPECT_TRUE(has("-Isrc"));
  EXPECT_TRUE(has("pre.h"));
  EXPECT_EQ(argv[argv.size() - 3], "src/x.bpf.c");
  EXPECT_EQ(argv.back(), "out/x.o");
}

TEST(ClangDriver, IncludeOrderDefinesAndExtraFlags) {
  CompileRequest request{"src/x.bpf.c", "out/x.o", "/cache/v", {}, {}, "/cache/compat"};
  request.flags = {{"inc"}, {"MARK=1", "DEBUG"}, {"-Wall", "-O1"}};
  auto argv = clang_command("/usr/bin/clang", request);
  auto at = [&](std::string_view arg) {
    return std::find(argv.begin(), argv.end(), arg) - argv.begin();
  };
  // Compatibility headers, source dir, -I dirs, generated vmlinux.h, in that order.
  EXPECT_LT(at("-I/cache/compat"), at("-Isrc"));
  EXPECT_LT(at("-Isrc"), at("-Iinc"));
  EXPECT_LT(at("-Iinc"), at("-I/cache/v"));
  EXPECT_LT(at("-I/cache/v"), at("-idirafter"));
  EXPECT_LT(at("-DMARK=1"), static_cast<long>(argv.size()));
  EXPECT_LT(at("-DDEBUG"), static_cast<long>(argv.size()));
  EXPECT_LT(at("-O2"), at("-O1"));  // the user's flags come after lmp's
  request.vmlinux_dir.clear();      // the project brings its own vmlinux.h
  argv = clang_command("/usr/bin/clang", request);
  EXPECT_EQ(at("-I/cache/v"), static_cast<long>(argv.size()));
}

TEST(ClangDriver, SplitFlags) {
  auto words = split_flags("  -DA=1 'two words' -DB=\"x y\"\t\"q\\\"\" a\\ b ");
  ASSERT_TRUE(words);
  EXPECT_EQ(*words, (std::vector<std::string>{"-DA=1", "two words", "-DB=x y", "q\"", "a b"}));
  EXPECT_TRUE(split_flags("")->empty());
  EXPECT_FALSE(split_flags("-DA='x"));
}

TEST(Vmlinux, ProjectHeaderFoundInSearchOrder) {
  char pattern[] = "/tmp/lmp-vmlinux-XXXXXX";
  ASSERT_NE(mkdtemp(pattern), nullptr);
  fs::path root = pattern;
  fs::create_directories(root / "a");
  fs::create_directories(root / "b");
  EXPECT_TRUE(find_project_vmlinux({root / "a", root / "b"}).empty());
  std::ofstream(root / "b" / "vmlinux.h") << "/* b */";
  EXPECT_EQ(find_project_vmlinux({root / "a", root / "b"}), root / "b" / "vmlinux.h");
  std::ofstream(root / "a" / "vmlinux.h") << "/* a */";
  EXPECT_EQ(find_project_vmlinux({root / "a", root / "b"}), root / "a" / "vmlinux.h");
  fs::remove_all(root);
}

TEST(ClangDriver, RunProcessReportsStatus) {
  auto ok = run_process({"true"});
  ASSERT_TRUE(ok);
  EXPECT_EQ(*ok, 0);
  auto bad = run_process({"false"});
  ASSERT_TRUE(bad);
  EXPECT_EQ(*bad, 1);
  EXPECT_FALSE(run_process({"/nonexistent/lmp-no-such-binary"}));
}

}  // namespace
}  // namespace lmp::compiler
