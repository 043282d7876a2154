// End-to-end tests on the real kernel: build programs with `lmp build`, run them with
// `lmp run`, cause events ourselves and find them in the output.
#include <fcntl.h>
#include <sched.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include <nlohmann/json.hpp>

#include "harness.h"

namespace lmp::test {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

// Packages built once for the whole suite: program name -> package.json path.
class RunTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    packages_ = new PackageSet(source_dir() / "tests/programs",
                               {"opentrace", "lifetimes", "badverifier", "kprobe_only", "percpu"});
  }
  static void TearDownTestSuite() {
    delete packages_;
    packages_ = nullptr;
  }
  void SetUp() override { LMP_REQUIRE_BPF_OR_SKIP(); }

  static std::string package(const std::string& name) { return packages_->path(name); }

  static PackageSet* packages_;
};

PackageSet* RunTest::packages_ = nullptr;

// Opens `path` (creating it) in a child process and returns the child's pid.
pid_t open_in_child(const fs::path& path) {
  pid_t pid = fork();
  if (pid == 0) {
    int fd = open(path.c_str(), O_CREAT | O_RDONLY, 0600);
    if (fd >= 0) close(fd);
    _exit(0);
  }
  waitpid(pid, nullptr, 0);
  return pid;
}

std::vector<nlohmann::json> json_lines(const std::string& out) {
  std::vector<nlohmann::json> lines;
  std::istringstream in(out);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    lines.push_back(nlohmann::json::parse(line));  // throws (fails the test) if not JSON
  }
  return lines;
}

TEST_F(RunTest, OpenOfUniqueFileShowsItsPath) {
  TempDir dir;
  fs::path target = dir.path() / ("lmp-unique-" + std::to_string(getpid()) + ".txt");
  Background run({"run", package("opentrace")});
  bool seen = run.wait_for(
      [&](const std::string& out) { return out.find(target.string()) != std::string::npos; }, 15s,
      [&] { open_in_child(target); });
  Outcome o = run.stop();
  ASSERT_TRUE(seen) << "stdout:\n" << o.out.substr(0, 2000) << "\nstderr:\n" << o.err;
  EXPECT_EQ(o.exit_code, 0) << o.err;
  // Table header: TIME then upper-case member names.
  EXPECT_NE(o.out.find("TIME"), std::string::npos);
  EXPECT_NE(o.out.find("PATH"), std::string::npos);
  EXPECT_NE(o.out.find("COMM"), std::string::npos);
}

TEST_F(RunTest, JsonLinesParseAndCarryPidCommAndEnumName) {
  TempDir dir;
  fs::path target = dir.path() / "lmp-json-probe";
  pid_t last_pid = 0;
  Background run({"run", "--json", package("opentrace")});
  bool seen = run.wait_for(
      [&](const std::string& out) { return out.find(target.string()) != std::string::npos; }, 15s,
      [&] { last_pid = open_in_child(target); });
  Outcome o = run.stop();
  ASSERT_TRUE(seen) << o.err;
  bool matched = false;
  for (const auto& event : json_lines(o.out)) {
    if (event.value("path", "") != target.string()) continue;
    EXPECT_TRUE(event["pid"].is_number_integer());
    EXPECT_EQ(event["kind"], "OPEN_KIND_OPENAT");
    EXPECT_TRUE(event["comm"].is_string());
    matched = true;
  }
  EXPECT_TRUE(matched);
  (void)last_pid;
}

// libbpf reads tracefs while attaching opentrace's second tracepoint, after the first is
// live: those opens of lmp's own are left out, the test's own open is shown.
TEST_F(RunTest, OwnOpensWhileAttachingAreNotShown) {
  TempDir dir;
  fs::path mine = dir.path() / "after-attach";
  Background run({"run", "--json", package("opentrace")});
  bool seen = run.wait_for(
      [&](const std::string& out) { return out.find(mine.string()) != std::string::npos; }, 15s,
      [&] { open_in_child(mine); });
  Outcome o = run.stop();
  ASSERT_TRUE(seen) << o.err;
  for (const auto& event : json_lines(o.out)) EXPECT_NE(event["pid"], run.pid()) << event.dump();
}

TEST_F(RunTest, PidOptionFilters) {
  // A child that opens files until told to stop; only its pid must appear.
  TempDir dir;
  fs::path mine = dir.path() / "filtered-in";
  fs::path other = dir.path() / "filtered-out";
  int ready[2];
  ASSERT_EQ(pipe(ready), 0);
  pid_t child = fork();
  if (child == 0) {
    for (int i = 0; i < 400; ++i) {
      int fd = open(mine.c_str(), O_CREAT | O_RDONLY, 0600);
      if (fd >= 0) close(fd);
      usleep(50000);
    }
    _exit(0);
  }
  Background run({"run", "--json", package("opentrace"), "--pid", std::to_string(child)});
  bool seen = run.wait_for(
      [&](const std::string& out) { return out.find(mine.string()) != std::string::npos; }, 15s,
      [&] { open_in_child(other); });
  Outcome o = run.stop();
  kill(child, SIGKILL);
  waitpid(child, nullptr, 0);
  ASSERT_TRUE(seen) << o.err;
  for (const auto& event : json_lines(o.out)) {
    EXPECT_EQ(event["pid"], child) << event.dump();
  }
  EXPECT_EQ(o.out.find(other.string()), std::string::npos);
}

TEST_F(RunTest, ExecOfKnownBinaryShowsPidAndComm) {
  // The default `lmp init` template traces exec; run it and exec a uniquely named binary.
  TempDir dir;
  ASSERT_EQ(run_lmp({"init", "exectrace"}, {.cwd = dir.path()}).exit_code, 0);
  fs::path project = dir.path() / "exectrace";
  Outcome built = run_lmp({"build"}, {.cwd = project});
  ASSERT_EQ(built.exit_code, 0) << built.err;
  fs::path binary = dir.path() / "lmpuniq";
  fs::copy_file("/bin/true", binary);
  std::vector<pid_t> pids;
  Background run({"run", "--json", (project / "package.json").string()});
  bool seen = run.wait_for(
      [&](const std::string& out) { return out.find("lmpuniq") != std::string::npos; }, 15s,
      [&] {
        pid_t pid = fork();
        if (pid == 0) {
          execl(binary.c_str(), "lmpuniq", nullptr);
          _exit(127);
        }
        waitpid(pid, nullptr, 0);
        pids.push_back(pid);
      });
  Outcome o = run.stop();
  ASSERT_TRUE(seen) << o.out.substr(0, 2000) << o.err;
  bool pid_matched = false;
  for (const auto& event : json_lines(o.out)) {
    if (event.value("comm", "") != "lmpuniq") continue;
    for (pid_t pid : pids) pid_matched |= event["pid"] == pid;
  }
  EXPECT_TRUE(pid_matched) << o.out.substr(0, 2000);
}

TEST_F(RunTest, Log2HistogramFills) {
  Background run({"run", package("lifetimes")});
  bool seen = run.wait_for(
      [&](const std::string& out) {
        return out.find("distribution") != std::string::npos && out.find("|*") != std::string::npos;
      },
      15s,
      [&] {
        for (int i = 0; i < 5; ++i) {
          pid_t pid = fork();
          if (pid == 0) _exit(0);
          waitpid(pid, nullptr, 0);
        }
      });
  Outcome o = run.stop();
  ASSERT_TRUE(seen) << o.out.substr(0, 3000) << o.err;
  EXPECT_NE(o.out.find("usecs"), std::string::npos);
  EXPECT_EQ(o.exit_code, 0);
}

// A per-CPU counter shows the sum over CPUs: the child calls getppid() 300 times on each
// of two CPUs, so the sampled value must reach 600 (CPU 0 alone would be 300).
TEST_F(RunTest, PerCpuMapValuesAreSummedOverCpus) {
  if (sysconf(_SC_NPROCESSORS_ONLN) < 2) GTEST_SKIP() << "needs two CPUs";
  int go[2];
  ASSERT_EQ(pipe(go), 0);
  pid_t child = fork();
  if (child == 0) {
    char byte;
    close(go[1]);
    if (read(go[0], &byte, 1) != 1) _exit(1);
    for (int cpu = 0; cpu < 2; ++cpu) {
      cpu_set_t set;
      CPU_ZERO(&set);
      CPU_SET(cpu, &set);
      if (sched_setaffinity(0, sizeof set, &set) != 0) _exit(2);
      for (int i = 0; i < 300; ++i) getppid();
    }
    pause();
    _exit(0);
  }
  close(go[0]);
  Background run({"run", "--json", package("percpu"), "--pid", std::to_string(child)});
  // Start the calls once the first (empty) round shows everything is attached.
  bool attached = run.wait_for([](const std::string& out) { return !out.empty(); }, 15s);
  EXPECT_EQ(write(go[1], "x", 1), 1);
  close(go[1]);
  bool summed = attached && run.wait_for(
                                [](const std::string& out) {
                                  return out.find("\"value\":600") != std::string::npos ||
                                         out.find("\"value\": 600") != std::string::npos;
                                },
                                15s);
  Outcome o = run.stop();
  kill(child, SIGKILL);
  waitpid(child, nullptr, 0);
  EXPECT_TRUE(summed) << o.out.substr(o.out.size() > 2000 ? o.out.size() - 2000 : 0) << o.err;
}

TEST_F(RunTest, DurationEndsTheRun) {
  auto start = std::chrono::steady_clock::now();
  Outcome o = run_lmp({"run", "--duration", "1", package("opentrace")}, {.timeout = 20s});
  auto elapsed = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(o.exit_code, 0) << o.err;
  EXPECT_LT(elapsed, 15s);
}

TEST_F(RunTest, HelpShowsGeneratedOptions) {
  Outcome o = run_lmp({"run", package("opentrace"), "-h"});
  EXPECT_EQ(o.exit_code, 0) << o.err;
  EXPECT_NE(o.out.find("Usage: opentrace"), std::string::npos) << o.out;
  EXPECT_NE(o.out.find("-p, --pid=<int>"), std::string::npos) << o.out;
  EXPECT_NE(o.out.find("-x, --failed"), std::string::npos) << o.out;
  EXPECT_NE(o.out.find("Trace open calls"), std::string::npos) << o.out;
}

TEST_F(RunTest, UnknownProgramOptionIsUsageError) {
  Outcome o = run_lmp({"run", package("opentrace"), "--no-such-option"});
  EXPECT_EQ(o.exit_code, 2) << o.err;
  EXPECT_NE(o.err.find("--no-such-option"), std::string::npos) << o.err;
}

TEST_F(RunTest, BadlyTypedProgramOptionIsUsageError) {
  Outcome o = run_lmp({"run", package("opentrace"), "--pid", "abc"});
  EXPECT_EQ(o.exit_code, 2) << o.err;
  EXPECT_NE(o.err.find("abc"), std::string::npos) << o.err;
  Outcome big = run_lmp({"run", package("opentrace"), "--pid", "99999999999"});
  EXPECT_EQ(big.exit_code, 2) << big.err;
  EXPECT_NE(big.err.find("range"), std::string::npos) << big.err;
}

TEST_F(RunTest, NotRootIsPermissionError) {
  Outcome o = run_lmp({"run", package("opentrace")}, {.as_nobody = true});
  EXPECT_EQ(o.exit_code, 4) << o.err;
  EXPECT_NE(o.err.find("root"), std::string::npos) << o.err;
  EXPECT_EQ(std::count(o.err.begin(), o.err.end(), '\n'), 1) << o.err;
}

TEST_F(RunTest, MissingBtfFileSaysHowToPassOne) {
  Outcome o = run_lmp({"run", "--btf", "/nonexistent/vmlinux", package("opentrace")});
  EXPECT_NE(o.exit_code, 0);
  EXPECT_NE(o.err.find("/nonexistent/vmlinux"), std::string::npos) << o.err;
}

TEST_F(RunTest, VerifierRejectionNamesProgramAndShowsLog) {
  Outcome o = run_lmp({"run", package("badverifier")});
  EXPECT_EQ(o.exit_code, 5) << o.err;
  EXPECT_NE(o.err.find("count_exec"), std::string::npos) << o.err;
  EXPECT_NE(o.err.find("verifier"), std::string::npos) << o.err;
}

TEST_F(RunTest, KprobeAttachFailureExplainsWhy) {
  Outcome o = run_lmp({"run", package("kprobe_only")});
  EXPECT_EQ(o.exit_code, 5) << o.err;
  EXPECT_NE(o.err.find("trace_unlink"), std::string::npos) << o.err;
  EXPECT_NE(o.err.find("kprobe"), std::string::npos) << o.err;
}

TEST_F(RunTest, TracefsIsMountedWhenMissing) {
  // Unmount tracefs (if we can), run, and expect lmp to mount it and say so.
  if (system("umount /sys/kernel/tracing 2>/dev/null") != 0 &&
      fs::exists("/sys/kernel/tracing/events")) {
    GTEST_SKIP() << "tracefs is busy and cannot be unmounted for this test";
  }
  Outcome o = run_lmp({"run", "--duration", "1", package("opentrace")});
  EXPECT_EQ(o.exit_code, 0) << o.err;
  EXPECT_NE(o.err.find("mounted tracefs"), std::string::npos) << o.err;
}

TEST_F(RunTest, BrokenPackagesGiveOneLineErrors) {
  TempDir dir;
  std::ifstream in(package("opentrace"));
  std::string text((std::istreambuf_iterator<char>(in)), {});
  ASSERT_GT(text.size(), 100u);
  struct Case {
    std::string name;
    std::string content;
  };
  std::vector<Case> cases = {
      {"truncated.json", text.substr(0, text.size() / 2)},
      {"empty.json", ""},
      {"wrongtype.json", R"({"bpf_object": 5, "bpf_object_size": 1, "meta": {}})"},
      {"notjson.json",
       "\x7f"
       "ELF garbage"},
  };
  for (const auto& c : cases) {
    fs::path p = dir.path() / c.name;
    std::ofstream(p) << c.content;
    Outcome o = run_lmp({"run", p.string()});
    EXPECT_EQ(o.exit_code, 3) << c.name << ": " << o.err;
    EXPECT_EQ(std::count(o.err.begin(), o.err.end(), '\n'), 1) << c.name << ": " << o.err;
    EXPECT_EQ(o.err.find("libbpf"), std::string::npos) << c.name << ": " << o.err;
  }
  Outcome missing = run_lmp({"run", (dir.path() / "nope.json").string()});
  EXPECT_NE(missing.exit_code, 0);
  EXPECT_NE(missing.err.find("nope.json"), std::string::npos);
}

}  // namespace
}  // namespace lmp::test
