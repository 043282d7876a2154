// Alternative programs for one hook (docs/run.md, "Programs: alternatives and selection"):
// exactly one variant runs, the best this kernel supports; a refused one falls back; the
// user's --programs / --skip-program and the package's autoload/link decide first; a program
// whose mechanism the kernel lacks is warned about while others carry the tool.
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <set>
#include <sstream>
#include <thread>

#include <nlohmann/json.hpp>

#include "harness.h"

namespace lmp::test {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

class AltProgramsTest : public ProgramSuite<AltProgramsTest> {
 public:
  static std::vector<std::string> programs() {
    return {"alt_tp", "alt_fentry", "alt_verifier", "alt_attach"};
  }
};

bool kernel_has_kprobes() {
  return fs::exists("/sys/bus/event_source/devices/kprobe") ||
         fs::exists("/sys/kernel/tracing/kprobe_events");
}

// A child that execs /bin/true: one sched_process_exec under its pid.
pid_t exec_in_child() {
  pid_t pid = fork();
  if (pid == 0) {
    execl("/bin/true", "true", static_cast<char*>(nullptr));
    _exit(127);
  }
  waitpid(pid, nullptr, 0);
  return pid;
}

// A child that creates and unlinks a file with unlinkat(2): one do_unlinkat under its pid.
pid_t unlink_in_child(const fs::path& path) {
  pid_t pid = fork();
  if (pid == 0) {
    int fd = open(path.c_str(), O_CREAT | O_WRONLY, 0600);
    if (fd >= 0) close(fd);
    unlinkat(AT_FDCWD, path.c_str(), 0);
    _exit(0);
  }
  waitpid(pid, nullptr, 0);
  return pid;
}

// Runs `args` (lmp run --json ...), causes events with `cause` until one of its pids shows,
// and returns the outcome and the variants seen per pid the test caused.
struct Seen {
  Outcome outcome;
  std::map<int, std::vector<std::string>> variants;  // pid -> variant names, in order
};

Seen run_and_cause(const std::vector<std::string>& args, const std::function<pid_t()>& cause) {
  std::set<int> pids;
  Background run(args);
  auto shows_ours = [&](const std::string& out) {
    for (int pid : pids)
      if (out.find("\"pid\":" + std::to_string(pid) + ",") != std::string::npos) return true;
    return false;
  };
  run.wait_for(shows_ours, 10s, [&] {
    pids.insert(cause());
    std::this_thread::sleep_for(50ms);
  });
  std::this_thread::sleep_for(300ms);  // a second variant's event would be here by now
  Seen seen{run.stop(), {}};
  std::istringstream in(seen.outcome.out);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] != '{') continue;
    auto event = nlohmann::json::parse(line);
    if (pids.contains(event.value("pid", -1)))
      seen.variants[event["pid"].get<int>()].push_back(event.value("variant", ""));
  }
  return seen;
}

// Every pid the test caused shows exactly `expected` (one event per variant listed).
void expect_each(const Seen& seen, const std::vector<std::string>& expected) {
  ASSERT_FALSE(seen.variants.empty()) << "no event of ours\nstdout:\n"
                                      << seen.outcome.out.substr(0, 2000) << "\nstderr:\n"
                                      << seen.outcome.err;
  for (const auto& [pid, variants] : seen.variants) {
    auto sorted = variants;
    std::sort(sorted.begin(), sorted.end());
    EXPECT_EQ(sorted, expected) << "pid " << pid << "\nstderr:\n" << seen.outcome.err;
  }
}

// A copy of `package` with `key: value` set on program `program`'s entry.
fs::path with_prog_key(const TempDir& dir, const std::string& package, const std::string& program,
                       const std::string& key, const nlohmann::json& value) {
  std::ifstream in(package);
  auto json = nlohmann::json::parse(in);
  for (auto& prog : json["meta"]["bpf_skel"]["progs"])
    if (prog["name"] == program) prog[key] = value;
  fs::path out = dir.path() / "package.json";
  std::ofstream(out) << json.dump();
  return out;
}

TEST_F(AltProgramsTest, TracepointVariantsRunOnceAsTpBtf) {
  Seen seen = run_and_cause({"run", "-v", "--json", package("alt_tp")}, exec_in_child);
  expect_each(seen, {"VARIANT_TP_BTF"});
  EXPECT_NE(seen.outcome.err.find("running exec_btf (tp_btf/sched_process_exec); not loaded: "
                                  "exec_raw (raw_tp/sched_process_exec), exec_tp"),
            std::string::npos)
      << seen.outcome.err;
}

TEST_F(AltProgramsTest, SkipProgramTakesTheNextVariant) {
  Seen seen = run_and_cause(
      {"run", "-v", "--json", "--skip-program", "exec_btf", package("alt_tp")}, exec_in_child);
  expect_each(seen, {"VARIANT_RAW_TP"});
  EXPECT_NE(seen.outcome.err.find("running exec_raw (raw_tp/sched_process_exec)"),
            std::string::npos)
      << seen.outcome.err;
}

TEST_F(AltProgramsTest, ProgramsLoadsOnlyThoseNamed) {
  expect_each(
      run_and_cause({"run", "--json", "--programs", "exec_tp", package("alt_tp")}, exec_in_child),
      {"VARIANT_TRACEPOINT"});
  // Naming two variants of one hook runs both: the user's choice beats the automatic one.
  expect_each(run_and_cause({"run", "--json", "--programs", "exec_tp,exec_raw", package("alt_tp")},
                            exec_in_child),
              {"VARIANT_RAW_TP", "VARIANT_TRACEPOINT"});
}

TEST_F(AltProgramsTest, UnknownProgramNameIsUsageErrorListingNames) {
  for (const char* flag : {"--programs", "--skip-program"}) {
    Outcome o = run_lmp({"run", flag, "exec_nope", package("alt_tp")});
    EXPECT_EQ(o.exit_code, 2) << o.err;
    EXPECT_NE(o.err.find("'exec_nope' (its programs: exec_btf, exec_raw, exec_tp)"),
              std::string::npos)
        << o.err;
    EXPECT_EQ(std::count(o.err.begin(), o.err.end(), '\n'), 1) << o.err;
  }
}

TEST_F(AltProgramsTest, PackageAutoloadFalseAndLinkFalseDoNotLoad) {
  for (const char* key : {"autoload", "link"}) {
    SCOPED_TRACE(key);
    TempDir dir;
    fs::path changed = with_prog_key(dir, package("alt_tp"), "exec_btf", key, false);
    Seen seen = run_and_cause({"run", "-v", "--json", changed.string()}, exec_in_child);
    expect_each(seen, {"VARIANT_RAW_TP"});
    EXPECT_NE(seen.outcome.err.find("not loaded: exec_btf (tp_btf/sched_process_exec)"),
              std::string::npos)
        << seen.outcome.err;
  }
}

TEST_F(AltProgramsTest, VerifierRejectionFallsBackToTheNextVariant) {
  Seen seen = run_and_cause({"run", "--json", package("alt_verifier")}, exec_in_child);
  expect_each(seen, {"VARIANT_RAW_TP"});
  EXPECT_EQ(seen.outcome.exit_code, 0) << seen.outcome.err;
  EXPECT_NE(seen.outcome.err.find("using exec_raw (raw_tp/sched_process_exec) instead of "
                                  "exec_btf (tp_btf/sched_process_exec): program exec_btf "
                                  "rejected by the verifier"),
            std::string::npos)
      << seen.outcome.err;
}

TEST_F(AltProgramsTest, AttachFailureFallsBackToTheNextVariant) {
  TempDir dir;
  fs::path file = dir.path() / "unlink-me";
  Seen seen = run_and_cause({"run", "--json", package("alt_attach")},
                            [&] { return unlink_in_child(file); });
  EXPECT_EQ(seen.outcome.exit_code, 0) << seen.outcome.err;
  expect_each(seen, {"VARIANT_TRACEPOINT"});
  EXPECT_NE(seen.outcome.err.find("using unlink_tp (tp/syscalls/sys_enter_unlinkat) instead of "
                                  "unlink_raw (raw_tp/sys_enter_unlinkat): cannot attach"),
            std::string::npos)
      << seen.outcome.err;
}

TEST_F(AltProgramsTest, EntryAndReturnVariantsRunAtMostOnceEach) {
  TempDir dir;
  fs::path file = dir.path() / "unlink-me";
  Seen seen = run_and_cause({"run", "-v", "--json", package("alt_fentry")},
                            [&] { return unlink_in_child(file); });
  EXPECT_EQ(seen.outcome.exit_code, 0) << seen.outcome.err;
  ASSERT_FALSE(seen.variants.empty()) << seen.outcome.err;
  for (const auto& [pid, variants] : seen.variants) {
    auto count = [&](const char* v) { return std::count(variants.begin(), variants.end(), v); };
    EXPECT_EQ(count("VARIANT_TRACEPOINT"), 1) << pid;
    EXPECT_LE(count("VARIANT_FENTRY") + count("VARIANT_KPROBE"), 1) << pid;
    EXPECT_LE(count("VARIANT_FEXIT") + count("VARIANT_KRETPROBE"), 1) << pid;
  }
  if (!kernel_has_kprobes()) {
    // Here neither trampolines nor kprobes: the kprobe variants load, warn and step aside.
    EXPECT_NE(seen.outcome.err.find("warning: cannot attach program unlink_kprobe to "
                                    "kprobe/do_unlinkat: this kernel does not support kprobes"),
              std::string::npos)
        << seen.outcome.err;
    EXPECT_NE(seen.outcome.err.find("going on without it"), std::string::npos);
  }
}

TEST_F(AltProgramsTest, KprobeThatCannotAttachIsWarnedWhileTracepointRuns) {
  if (kernel_has_kprobes()) GTEST_SKIP() << "this kernel has kprobes";
  TempDir dir;
  fs::path file = dir.path() / "unlink-me";
  Seen seen = run_and_cause(
      {"run", "--json", "--programs", "unlink_kprobe,unlink_tp", package("alt_fentry")},
      [&] { return unlink_in_child(file); });
  EXPECT_EQ(seen.outcome.exit_code, 0) << seen.outcome.err;
  expect_each(seen, {"VARIANT_TRACEPOINT"});
  EXPECT_NE(seen.outcome.err.find("cannot attach program unlink_kprobe to kprobe/do_unlinkat"),
            std::string::npos)
      << seen.outcome.err;
  // Alone it carries nothing: the attach error is the run's, as before.
  Outcome alone = run_lmp({"run", "--programs", "unlink_kprobe", package("alt_fentry")});
  EXPECT_EQ(alone.exit_code, 5) << alone.err;
  EXPECT_NE(alone.err.find("does not support kprobes"), std::string::npos) << alone.err;
}

}  // namespace
}  // namespace lmp::test
