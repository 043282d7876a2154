// End-to-end tests on the real kernel: build programs with `lmp build`, run them with
// `lmp run`, cause events ourselves and find them in the output.
#include <fcntl.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <thread>

#include <nlohmann/json.hpp>

#include "harness.h"

namespace lmp::test {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

// Packages built once for the whole suite: program name -> package.json path.
class RunTest : public ProgramSuite<RunTest> {
 public:
  static std::vector<std::string> programs() {
    return {"opentrace", "lifetimes", "badverifier", "kprobe_only", "percpu"};
  }
};

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

std::vector<nlohmann::json> json_lines_run(const std::string& out) {
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
  for (const auto& event : json_lines_run(o.out)) {
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
  for (const auto& event : json_lines_run(o.out))
    EXPECT_NE(event["pid"], run.pid()) << event.dump();
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
  for (const auto& event : json_lines_run(o.out)) {
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
  for (const auto& event : json_lines_run(o.out)) {
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

// lmp run with stdout a pipe that nobody reads and stderr a file; stop() sends a signal and
// returns how long lmp took to exit after it, its exit code and stderr.
class StalledRun {
 public:
  explicit StalledRun(const std::vector<std::string>& args) {
    int fds[2];
    EXPECT_EQ(pipe(fds), 0);
    read_end_ = fds[0];
    std::string err_path = err_dir_.path() / "stderr";
    err_file_ = err_path;
    pid_ = fork();
    if (pid_ == 0) {
      dup2(fds[1], 1);
      int err = open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
      dup2(err, 2);
      std::vector<char*> argv{const_cast<char*>(LMP_BINARY)};
      for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
      argv.push_back(nullptr);
      execv(argv[0], argv.data());
      _exit(127);
    }
    close(fds[1]);
  }
  ~StalledRun() {
    if (pid_ > 0 && !exited_) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
    close(read_end_);
  }
  std::string err() const {
    std::ifstream in(err_file_);
    return std::string((std::istreambuf_iterator<char>(in)), {});
  }
  // Bytes waiting in the pipe: the reader's view of a stall.
  int queued() const {
    int n = 0;
    ioctl(read_end_, FIONREAD, &n);
    return n;
  }
  // Waits up to `timeout` for lmp to exit (after `sig`, unless 0); the exit code, or -1.
  int wait_exit(int sig, std::chrono::milliseconds timeout,
                std::chrono::steady_clock::duration* took = nullptr) {
    auto start = std::chrono::steady_clock::now();
    if (sig) kill(pid_, sig);
    while (std::chrono::steady_clock::now() - start < timeout) {
      int status = 0;
      if (waitpid(pid_, &status, WNOHANG) == pid_) {
        exited_ = true;
        if (took) *took = std::chrono::steady_clock::now() - start;
        return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
      }
      std::this_thread::sleep_for(10ms);
    }
    return -1;
  }

 private:
  TempDir err_dir_;
  fs::path err_file_;
  int read_end_ = -1;
  pid_t pid_ = -1;
  bool exited_ = false;
};

// Opens files until the pipe behind `run` is full (lmp's own buffer keeps the rest).
void fill_stdout_of(StalledRun& run, const fs::path& dir) {
  auto start = std::chrono::steady_clock::now();
  while (std::chrono::steady_clock::now() - start < 20s) {
    for (int i = 0; i < 200; ++i) open_in_child(dir / ("stall-" + std::to_string(i)));
    if (run.queued() >= 40000) break;  // a default pipe holds up to 64 KiB
  }
}

TEST_F(RunTest, StalledReaderDoesNotHoldOffAStop) {
  TempDir dir;
  for (int sig : {SIGINT, SIGTERM}) {
    StalledRun run({"run", "--json", package("opentrace")});
    std::this_thread::sleep_for(1s);  // attached
    fill_stdout_of(run, dir.path());
    ASSERT_GE(run.queued(), 40000) << "the pipe did not fill: " << run.err();
    for (int i = 0; i < 500; ++i) open_in_child(dir.path() / "more");  // these wait in lmp
    std::chrono::steady_clock::duration took{};
    int code = run.wait_exit(sig, 10s, &took);
    EXPECT_EQ(code, 0) << "signal " << sig << ": " << run.err();
    EXPECT_LT(took, 3s) << "signal " << sig;  // ~100 ms; generous for a loaded machine
    EXPECT_NE(run.err().find("were not written: stdout's reader did not keep up"),
              std::string::npos)
        << run.err();
  }
  // --duration ends a stalled run as well.
  StalledRun timed({"run", "--json", "--duration", "3", package("opentrace")});
  std::this_thread::sleep_for(1s);
  fill_stdout_of(timed, dir.path());
  EXPECT_EQ(timed.wait_exit(0, 15s), 0) << timed.err();
}

TEST_F(RunTest, FullDiskIsAnErrorOfOneLine) {
  // The table header alone is enough: it cannot be written.
  Outcome o = run_program({"sh", "-c",
                           std::string("exec ") + LMP_BINARY + " run --duration 5 " +
                               package("opentrace") + " > /dev/full"},
                          {.timeout = 20s});
  EXPECT_EQ(o.exit_code, 1) << o.err;
  EXPECT_NE(o.err.find("error: cannot write to stdout: No space left on device"), std::string::npos)
      << o.err;
  EXPECT_EQ(std::count(o.err.begin(), o.err.end(), '\n'), 1) << o.err;
}

TEST_F(RunTest, KernelDropsFromAFullPerfBufferAreCounted) {
  // 64 records of ~1 KiB per getppid() into one page per CPU: most are dropped by the kernel.
  TempDir dir;
  fs::create_directories(dir.path() / "perflost");
  std::ofstream(dir.path() / "perflost/perflost.h") << R"(#ifndef PERFLOST_H
#define PERFLOST_H
struct big_event {
  int pid;
  int seq;
  char fill[1016];
};
#endif
)";
  std::ofstream(dir.path() / "perflost/perflost.bpf.c") << R"(#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "perflost.h"

struct {
  __uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY);
  __uint(key_size, sizeof(int));
  __uint(value_size, sizeof(int));
} events SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
  __uint(max_entries, 1);
  __type(key, int);
  __type(value, struct big_event);
} scratch SEC(".maps");

SEC("tracepoint/syscalls/sys_enter_getppid")
int flood(void *ctx) {
  int zero = 0;
  struct big_event *e = bpf_map_lookup_elem(&scratch, &zero);
  if (!e) return 0;
  e->pid = bpf_get_current_pid_tgid() >> 32;
  for (int i = 0; i < 64; i++) {
    e->seq = i;
    bpf_perf_event_output(ctx, &events, BPF_F_CURRENT_CPU, e, sizeof(*e));
  }
  return 0;
}

char LICENSE[] SEC("license") = "GPL";
)";
  fs::path built = build_package(dir.path() / "perflost", dir.path() / "out");
  ASSERT_TRUE(fs::exists(built));
  nlohmann::json package_json = nlohmann::json::parse(std::ifstream(built));
  package_json["meta"]["perf_buffer_pages"] = 1;
  std::ofstream(built) << package_json.dump();

  Background run({"run", "--json", "--duration", "4", built.string()});
  bool seen = run.wait_for(
      [](const std::string& out) { return out.find("\"seq\"") != std::string::npos; }, 15s,
      [] {
        for (int i = 0; i < 20; ++i) (void)getppid();
      });
  EXPECT_TRUE(seen) << run.err();
  for (int i = 0; i < 50; ++i) (void)getppid();  // attached: 3200 records at once
  auto start = std::chrono::steady_clock::now();
  while (run.running() && std::chrono::steady_clock::now() - start < 15s) {
    run.pump();
    std::this_thread::sleep_for(50ms);
  }
  Outcome o = run.stop();
  EXPECT_EQ(o.exit_code, 0) << o.err;
  EXPECT_NE(o.err.find("perf buffer events: the kernel dropped"), std::string::npos) << o.err;
}

TEST_F(RunTest, BtfFileThatIsNotBtfSaysWhatIsWrong) {
  Outcome dev = run_lmp({"run", "--btf", "/dev/null", package("opentrace")});
  EXPECT_EQ(dev.exit_code, 2) << dev.err;
  EXPECT_NE(dev.err.find("/dev/null is a character device"), std::string::npos) << dev.err;
  EXPECT_EQ(dev.err.find("does not exist"), std::string::npos) << dev.err;
  EXPECT_EQ(std::count(dev.err.begin(), dev.err.end(), '\n'), 1) << dev.err;
  TempDir dir;
  std::ofstream(dir.path() / "empty");
  std::ofstream(dir.path() / "text") << "not BTF at all";
  Outcome empty = run_lmp({"run", "--btf", (dir.path() / "empty").string(), package("opentrace")});
  EXPECT_EQ(empty.exit_code, 2) << empty.err;
  EXPECT_NE(empty.err.find("is empty"), std::string::npos) << empty.err;
  Outcome text = run_lmp({"run", "--btf", (dir.path() / "text").string(), package("opentrace")});
  EXPECT_EQ(text.exit_code, 2) << text.err;
  EXPECT_NE(text.err.find("is not BTF"), std::string::npos) << text.err;
}

// Issue 10: inputs that crashed lmp (src/loader/fuzz_seeds/repro): one line, exit 3, no signal.
fs::path repro(const std::string& name) {
  return source_dir() / "src/loader/fuzz_seeds/repro" / name;
}

void expect_malformed(const Outcome& o, const std::string& name) {
  EXPECT_EQ(o.exit_code, 3) << name << ": " << o.err;
  EXPECT_EQ(std::count(o.err.begin(), o.err.end(), '\n'), 1) << name << ": " << o.err;
}

TEST_F(RunTest, CraftedObjectsThatCrashedLibbpfAreMalformedPackages) {
  for (const char* name :
       {"libbpf_open_segv.json", "libbpf_load_segv.json", "libbpf_load_segv2.json"}) {
    Outcome o = run_lmp({"run", "--duration", "0", repro(name).string()});
    expect_malformed(o, name);
    EXPECT_NE(o.err.find("malformed eBPF object"), std::string::npos) << o.err;
  }
}

TEST_F(RunTest, HugeCharArraysFromMetadataAreMalformedPackages) {
  for (const char* name : {"chararr_18446744073709551615.json", "chararr_1099511627776.json",
                           "var_type_chararr_huge.json"})
    expect_malformed(run_lmp({"run", "--duration", "0", repro(name).string()}), name);
}

TEST_F(RunTest, HelpOfCraftedPackageWorksForNonRoot) {
  Outcome o = run_lmp({"run", repro("libbpf_open_segv.json").string(), "-h"}, {.as_nobody = true});
  EXPECT_EQ(o.exit_code, 0) << o.err;
  EXPECT_NE(o.out.find("Usage:"), std::string::npos) << o.out;
  Outcome huge =
      run_lmp({"run", repro("chararr_1099511627776.json").string(), "-h"}, {.as_nobody = true});
  expect_malformed(huge, "chararr_1099511627776.json -h");
}

TEST_F(RunTest, GuestsCraftedObjectIsAnErrorForTheGuest) {
  Outcome o = run_lmp({"run", "--duration", "5", repro("wasm_host_segv.wasm").string()});
  EXPECT_LT(o.exit_code, 128) << o.err;
  EXPECT_NE(o.err.find("wasm_load_bpf_object: malformed eBPF object"), std::string::npos) << o.err;
}

}  // namespace
}  // namespace lmp::test
