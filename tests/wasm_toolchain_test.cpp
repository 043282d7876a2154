// The developer workflow for a WebAssembly user space, end to end on the real kernel:
// lmp init --template wasm, lmp build, lmp gen-wasm-skel, lmp build-wasm, lmp run app.wasm.
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include "harness.h"

namespace lmp::test {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

bool wasm_toolchain_installed() {
  return fs::exists("/usr/lib/wasm32-wasi/libc.a") && fs::exists("/usr/include/wasm32-wasi") &&
         run_program({"sh", "-c", "command -v clang && command -v wasm-ld"}).exit_code == 0;
}

// Runs /bin/true under a unique command name (a symlink), so its exec is ours alone.
void exec_named(const fs::path& link) {
  pid_t pid = fork();
  if (pid == 0) {
    execl(link.c_str(), link.filename().c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  waitpid(pid, nullptr, 0);
}

TEST(WasmToolchainTest, InitBuildGenerateCompileAndRun) {
  if (!wasm_toolchain_installed()) {
    GTEST_SKIP() << "clang, lld or wasi-libc missing (setup installs them)";
  }
  TempDir dir;
  RunOptions in_dir{.cwd = dir.path()};
  Outcome init = run_lmp({"init", "x", "--template", "wasm"}, in_dir);
  ASSERT_EQ(init.exit_code, 0) << init.err;
  RunOptions in_project{.cwd = dir.path() / "x", .timeout = 180s};
  Outcome build = run_lmp({"build"}, in_project);
  ASSERT_EQ(build.exit_code, 0) << build.err;
  Outcome gen = run_lmp({"gen-wasm-skel"}, in_project);
  ASSERT_EQ(gen.exit_code, 0) << gen.err;
  for (const char* f : {"x.skel.h", "x.wasm.h", "lmp-wasm.h", "app.c"}) {
    EXPECT_TRUE(fs::is_regular_file(dir.path() / "x" / f)) << f;
  }
  Outcome compile = run_lmp({"build-wasm"}, in_project);
  ASSERT_EQ(compile.exit_code, 0) << compile.err;
  EXPECT_EQ(compile.err.find("warning"), std::string::npos) << compile.err;
  fs::path wasm = dir.path() / "x" / "app.wasm";
  ASSERT_TRUE(fs::is_regular_file(wasm));

  // Running the same steps again keeps app.c and rebuilds app.wasm in place.
  Outcome again = run_lmp({"gen-wasm-skel"}, in_project);
  EXPECT_EQ(again.exit_code, 0) << again.err;
  EXPECT_NE(again.err.find("Kept the existing app.c"), std::string::npos) << again.err;

  LMP_REQUIRE_BPF_OR_SKIP();
  Outcome help = run_lmp({"run", wasm.string(), "-h"});
  EXPECT_EQ(help.exit_code, 0) << help.err;
  EXPECT_NE(help.out.find("Usage: "), std::string::npos) << help.out << help.err;
  EXPECT_NE(help.out.find("-p, --pid=N"), std::string::npos) << help.out;
  EXPECT_NE(help.out.find("Trace process execs"), std::string::npos) << help.out;

  std::string name = "lmpw" + std::to_string(getpid() % 100000);  // < 16 chars: a whole comm
  fs::path link = dir.path() / name;
  fs::create_symlink("/bin/true", link);
  Background run({"run", "--duration", "3", wasm.string()});
  bool seen = run.wait_for(
      [&](const std::string& out) { return out.find("comm=" + name) != std::string::npos; }, 15s,
      [&] { exec_named(link); });
  Outcome o = run.stop();
  ASSERT_TRUE(seen) << "stdout:\n" << o.out.substr(0, 2000) << "\nstderr:\n" << o.err;
  EXPECT_EQ(o.exit_code, 0) << o.err;
  EXPECT_NE(o.out.find("filename=" + link.string()), std::string::npos) << o.out.substr(0, 2000);
}

TEST(WasmToolchainTest, UsageErrorsAreOneLine) {
  TempDir dir;
  Outcome gen = run_lmp({"gen-wasm-skel", dir.path().string()});
  EXPECT_EQ(gen.exit_code, 7) << gen.err;
  EXPECT_NE(gen.err.find("no package.json in"), std::string::npos) << gen.err;
  EXPECT_EQ(std::count(gen.err.begin(), gen.err.end(), '\n'), 1) << gen.err;
  Outcome compile = run_lmp({"build-wasm", dir.path().string()});
  EXPECT_EQ(compile.exit_code, 7) << compile.err;
  EXPECT_NE(compile.err.find("no app.c in"), std::string::npos) << compile.err;
  Outcome extra = run_lmp({"build-wasm", "a", "b"});
  EXPECT_EQ(extra.exit_code, 2) << extra.err;
  Outcome init_help = run_lmp({"init", "--help"});
  EXPECT_EQ(init_help.exit_code, 0);
  EXPECT_NE(init_help.out.find("wasm"), std::string::npos) << init_help.out;
}

// CLI11's parse errors are lmp's one-line usage errors (exit code 2), not CLI11's two lines.
TEST(WasmToolchainTest, ParseErrorsOfCli11CommandsAreOneLine) {
  std::vector<std::vector<std::string>> cases = {
      {"build", "--no-such-flag"}, {"init"}, {"init", "a", "b"}, {"gen-wasm-skel", "--nope"},
      {"build-wasm", "--nope"},
  };
  for (const auto& args : cases) {
    Outcome o = run_lmp(args);
    EXPECT_EQ(o.exit_code, 2) << args[0] << ": " << o.err;
    EXPECT_TRUE(o.err.starts_with("error: ")) << args[0] << ": " << o.err;
    EXPECT_EQ(std::count(o.err.begin(), o.err.end(), '\n'), 1) << args[0] << ": " << o.err;
  }
}

// A gen-wasm-skel that fails part-way writes none of its files (and leaves no temporaries).
TEST(WasmToolchainTest, FailedGenWasmSkelWritesNothing) {
  if (!fs::exists("/sys/kernel/btf/vmlinux")) GTEST_SKIP() << "lmp build needs kernel BTF";
  TempDir dir;
  fs::path project = dir.path() / "opentrace";
  Outcome build = run_lmp(
      {"build", (source_dir() / "tests/programs/opentrace").string(), "-o", project.string()},
      {.timeout = 180s});
  ASSERT_EQ(build.exit_code, 0) << build.err;
  auto listing = [&] {
    std::vector<std::string> names;
    for (const auto& e : fs::directory_iterator(project)) names.push_back(e.path().filename());
    std::sort(names.begin(), names.end());
    return names;
  };
  fs::create_directory(project / "opentrace.skel.h");  // the third file cannot be written
  auto before = listing();
  Outcome gen = run_lmp({"gen-wasm-skel", project.string()});
  EXPECT_NE(gen.exit_code, 0) << gen.err;
  EXPECT_NE(gen.err.find("opentrace.skel.h"), std::string::npos) << gen.err;
  EXPECT_EQ(std::count(gen.err.begin(), gen.err.end(), '\n'), 1) << gen.err;
  EXPECT_EQ(listing(), before);

  // Once the way is clear, every file is written.
  fs::remove(project / "opentrace.skel.h");
  Outcome again = run_lmp({"gen-wasm-skel", project.string()});
  EXPECT_EQ(again.exit_code, 0) << again.err;
  for (const char* f : {"opentrace.skel.h", "opentrace.wasm.h", "lmp-wasm.h", "app.c"})
    EXPECT_TRUE(fs::is_regular_file(project / f)) << f;
  for (const auto& name : listing()) EXPECT_FALSE(name.starts_with(".")) << name;
}

}  // namespace
}  // namespace lmp::test
