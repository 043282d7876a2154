// `lmp build` on sources written for libbpf's own C user space (libbpf-tools style): -I, -D,
// --cflags, a project's own vmlinux.h, lmp's libbpf compatibility headers, and plain .bss
// globals that become program options written before load.
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <filesystem>
#include <sstream>

#include <nlohmann/json.hpp>

#include "harness.h"

namespace lmp::test {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

fs::path program_dir(const std::string& name) {
  return source_dir() / "tests/programs" / name;
}

// build_libbpf_tools built once with -I and -D (it needs kernel BTF for vmlinux.h).
class BuildSourcesTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (!bpf_available()) return;
    dir_ = new TempDir;
    fs::path src = program_dir("build_libbpf_tools");
    build_ = new Outcome(run_lmp({"build", src.string(), "-o", (dir_->path() / "tools").string(),
                                  "-I", (src / "include").string(), "-D", "BUILD_MARK=42"},
                                 {.timeout = 120s}));
  }
  static void TearDownTestSuite() {
    delete build_;
    delete dir_;
    build_ = nullptr;
    dir_ = nullptr;
  }
  void SetUp() override { LMP_REQUIRE_BPF_OR_SKIP(); }

  static std::string package() {
    EXPECT_EQ(build_->exit_code, 0) << build_->err;
    return (dir_->path() / "tools" / "package.json").string();
  }

  static TempDir* dir_;
  static Outcome* build_;
};

TempDir* BuildSourcesTest::dir_ = nullptr;
Outcome* BuildSourcesTest::build_ = nullptr;

TEST_F(BuildSourcesTest, FailsWithoutIncludeDirOrDefine) {
  TempDir out;
  fs::path src = program_dir("build_libbpf_tools");
  Outcome no_define =
      run_lmp({"build", src.string(), "-o", out.path().string(), "-I", (src / "include").string()});
  EXPECT_NE(no_define.exit_code, 0);
  EXPECT_NE(no_define.err.find("build with -D BUILD_MARK=N"), std::string::npos) << no_define.err;
  Outcome no_include =
      run_lmp({"build", src.string(), "-o", out.path().string(), "-DBUILD_MARK=1"});
  EXPECT_NE(no_include.exit_code, 0);
  EXPECT_NE(no_include.err.find("maps.bpf.h"), std::string::npos) << no_include.err;
}

TEST_F(BuildSourcesTest, ReadOnlyBssGlobalsBecomeOptions) {
  Outcome help = run_lmp({"run", package(), "-h"});
  ASSERT_EQ(help.exit_code, 0) << help.err;
  // -p comes from config.json's "options", the help text from the doc comment.
  EXPECT_NE(help.out.find("-p, --targ-pid=<int>  Only report this process id"), std::string::npos)
      << help.out;
  EXPECT_NE(help.out.find("--min-mark=<int>  Minimum mark to report (in .data: it has an "
                          "initializer) (default: 3)"),
            std::string::npos)
      << help.out;
  // A counter the program increments is not a setting.
  EXPECT_EQ(help.out.find("events-seen"), std::string::npos) << help.out;
}

// A child that opens /dev/null every 20 ms until killed.
pid_t start_opener() {
  pid_t pid = fork();
  if (pid == 0) {
    for (;;) {
      int fd = open("/dev/null", O_RDONLY);
      if (fd >= 0) close(fd);
      usleep(20000);
    }
  }
  return pid;
}

TEST_F(BuildSourcesTest, BssPidFilterShowsOnlyItsChild) {
  pid_t child = start_opener();
  ASSERT_GT(child, 0);
  std::string pid_field = "\"pid\":" + std::to_string(child) + ",";
  Background run({"run", "--json", package(), "--targ-pid", std::to_string(child)});
  bool seen = run.wait_for(
      [&](const std::string& out) { return out.find(pid_field) != std::string::npos; }, 15s,
      [] {  // noise from this process, which the filter must drop
        int fd = open("/dev/null", O_RDONLY);
        if (fd >= 0) close(fd);
      });
  Outcome o = run.stop();
  kill(child, SIGKILL);
  waitpid(child, nullptr, 0);
  ASSERT_TRUE(seen) << "stdout:\n" << o.out.substr(0, 2000) << "\nstderr:\n" << o.err;
  std::istringstream lines(o.out);
  std::string line;
  int events = 0;
  while (std::getline(lines, line)) {
    if (line.empty()) continue;
    auto event = nlohmann::json::parse(line);
    ++events;
    EXPECT_EQ(event["pid"], child) << line;
    EXPECT_EQ(event["mark"], 42) << line;      // -D BUILD_MARK=42
    EXPECT_EQ(event["loop_sum"], 10) << line;  // bpf_for from the compatibility header
    EXPECT_EQ(event["ksyms"], 1) << line;      // bpf_ksym_exists: kfunc yes, missing var no
  }
  EXPECT_GT(events, 0);
}

TEST_F(BuildSourcesTest, DataSettingIsWrittenBeforeLoad) {
  pid_t child = start_opener();
  ASSERT_GT(child, 0);
  // BUILD_MARK is 42: with --min-mark 43 (written into .data) nothing may be reported.
  Outcome o = run_lmp({"run", "--json", "--duration", "1", package(), "--targ-pid",
                       std::to_string(child), "--min-mark", "43"});
  kill(child, SIGKILL);
  waitpid(child, nullptr, 0);
  EXPECT_EQ(o.exit_code, 0) << o.err;
  EXPECT_EQ(o.out, "") << o.out.substr(0, 2000);
}

// Needs clang only: the project's vmlinux.h is used, so no kernel BTF is read (--btf points
// nowhere), and --cflags reaches clang.
TEST(BuildSourcesOwnVmlinux, ProjectVmlinuxAndCflags) {
  TempDir out;
  fs::path src = program_dir("build_own_vmlinux");
  Outcome o = run_lmp({"build", src.string(), "-o", out.path().string(), "--btf",
                       "/nonexistent/btf", "--cflags=-DFROM_CFLAGS -Wall"});
  EXPECT_EQ(o.exit_code, 0) << o.err;
  EXPECT_TRUE(fs::exists(out.path() / "package.json"));
  Outcome without =
      run_lmp({"build", src.string(), "-o", out.path().string(), "--btf", "/nonexistent/btf"});
  EXPECT_NE(without.exit_code, 0);
  EXPECT_NE(without.err.find("FROM_CFLAGS"), std::string::npos) << without.err;
}

}  // namespace
}  // namespace lmp::test
