// The developer workflow for a WebAssembly user space, end to end on the real kernel:
// lmp init --template wasm, lmp build, lmp gen-wasm-skel, lmp build-wasm, lmp run app.wasm.
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
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

namespace lmp::test {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

std::string read_text(const fs::path& path) {
  std::ifstream in(path);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

void write_text(const fs::path& path, const std::string& text) {
  std::ofstream(path) << text;
}

// tests/programs/wasmbpf_style, copied into a temporary directory and built with lmp build,
// lmp gen-wasm-skel and lmp build-wasm.
class WasmBpfStyleTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!wasm_toolchain_installed()) GTEST_SKIP() << "clang, lld or wasi-libc missing";
    if (!fs::exists("/sys/kernel/btf/vmlinux")) GTEST_SKIP() << "lmp build needs kernel BTF";
    project_ = dir_.path() / "wbstyle";
    fs::copy(source_dir() / "tests/programs/wasmbpf_style", project_);
    build_all();
  }
  void build_all() {
    RunOptions in_project{.cwd = project_, .timeout = 180s};
    for (auto step : {"build", "gen-wasm-skel", "build-wasm"}) {
      Outcome o = run_lmp({step}, in_project);
      ASSERT_EQ(o.exit_code, 0) << step << ": " << o.err;
    }
  }
  TempDir dir_;
  fs::path project_;
};

// A C guest written against libbpf-wasm.h the way wasm-bpf's examples are (the tool's own
// header and the skeleton both included, errno.h names, BPF_ANY/NOEXIST/EXIST, set_autoload,
// bpf_set_prog_attach_target, a helper file named in config.json) builds and runs unedited.
TEST_F(WasmBpfStyleTest, BuildsUneditedAndGetsTheEventsItCauses) {
  EXPECT_TRUE(fs::is_regular_file(project_ / "libbpf-wasm.h"));
  EXPECT_TRUE(fs::is_regular_file(project_ / "app.wasm"));
  LMP_REQUIRE_BPF_OR_SKIP();
  fs::path wasm = project_ / "app.wasm";

  // bpf_buffer__poll(buf, 0) waits (100 ms, as wasm-bpf) instead of returning at once.
  Outcome idle = run_lmp({"run", wasm.string(), "--idle-polls"}, {.timeout = 60s});
  ASSERT_EQ(idle.exit_code, 0) << idle.out << idle.err;
  EXPECT_NE(idle.out.find("checks passed"), std::string::npos) << idle.out;
  auto at = idle.out.find("idle polls took ");
  ASSERT_NE(at, std::string::npos) << idle.out;
  EXPECT_GE(std::stol(idle.out.substr(at + 16)), 400) << idle.out;

  std::string name = "lmpb" + std::to_string(getpid() % 100000);
  fs::path link = dir_.path() / name;
  fs::create_symlink("/bin/true", link);
  Background run({"run", "--duration", "5", wasm.string()});
  bool seen = run.wait_for(
      [&](const std::string& out) { return out.find("EXEC  " + name) != std::string::npos; }, 20s,
      [&] { exec_named(link); });
  Outcome o = run.stop();
  ASSERT_TRUE(seen) << "stdout:\n" << o.out.substr(0, 2000) << "\nstderr:\n" << o.err;
  EXPECT_EQ(o.exit_code, 0) << o.err;
  EXPECT_EQ(o.err.find("check failed"), std::string::npos) << o.err;
}

// build-wasm compiles app.c and the files config.json names, not every *.c of the directory
// (not_user_space.c does not compile); a named file that is missing is an error.
TEST_F(WasmBpfStyleTest, BuildWasmCompilesOnlyTheNamedSources) {
  std::string config = read_text(project_ / "config.json");
  auto at = config.find("helpers.c");
  ASSERT_NE(at, std::string::npos);
  write_text(project_ / "config.json", config.replace(at, 9, "gone.c"));
  Outcome o = run_lmp({"build-wasm", project_.string()});
  EXPECT_EQ(o.exit_code, 7) << o.err;
  EXPECT_NE(o.err.find("gone.c"), std::string::npos) << o.err;
}

// After the .bpf.c changes and lmp build runs again, the old app.wasm embeds another object
// than package.json: run, push and repo build refuse it, and run it with --force.
TEST_F(WasmBpfStyleTest, StaleModuleIsRefusedUnlessForced) {
  std::string source = read_text(project_ / "wbstyle.bpf.c");
  auto at = source.find("#define WBSTYLE_MARK 1");
  ASSERT_NE(at, std::string::npos);
  write_text(project_ / "wbstyle.bpf.c", source.replace(at, 22, "#define WBSTYLE_MARK 2"));
  Outcome rebuilt = run_lmp({"build"}, {.cwd = project_, .timeout = 180s});
  ASSERT_EQ(rebuilt.exit_code, 0) << rebuilt.err;

  auto refused = [](const Outcome& o, const std::string& force) {
    EXPECT_EQ(o.exit_code, 3) << o.err;
    EXPECT_NE(o.err.find("the module is stale"), std::string::npos) << o.err;
    EXPECT_NE(o.err.find(force), std::string::npos) << o.err;
  };
  refused(run_lmp({"run", project_.string()}), "lmp run --force");
  refused(run_lmp({"run", (project_ / "app.wasm").string(), "--idle-polls"}), "lmp run --force");
  refused(run_lmp({"push", project_.string(), "localhost:1/lmp-test/wbstyle:0.1.0"}),
          "lmp push --force");
  fs::path repo = dir_.path() / "repo";
  refused(run_lmp({"repo", "build", project_.string(), repo.string()}), "lmp repo build --force");
  EXPECT_FALSE(fs::exists(repo / "index.json"));

  Outcome forced_repo = run_lmp({"repo", "build", "--force", project_.string(), repo.string()});
  EXPECT_EQ(forced_repo.exit_code, 0) << forced_repo.err;
  Outcome forced_push =
      run_lmp({"push", "--force", project_.string(), "localhost:1/lmp-test/wbstyle:0.1.0"});
  EXPECT_EQ(forced_push.err.find("stale"), std::string::npos) << forced_push.err;
  EXPECT_NE(forced_push.exit_code, 0);  // nothing listens on port 1

  if (bpf_available()) {
    Outcome forced_run =
        run_lmp({"run", "--force", project_.string(), "--idle-polls"}, {.timeout = 60s});
    EXPECT_EQ(forced_run.exit_code, 0) << forced_run.err;
  }

  // Rebuilding the module makes it current again.
  for (auto step : {"gen-wasm-skel", "build-wasm"})
    ASSERT_EQ(run_lmp({step}, {.cwd = project_, .timeout = 180s}).exit_code, 0) << step;
  LMP_REQUIRE_BPF_OR_SKIP();
  Outcome current = run_lmp({"run", project_.string(), "--idle-polls"}, {.timeout = 60s});
  EXPECT_EQ(current.exit_code, 0) << current.err;
}

}  // namespace
}  // namespace lmp::test
