// Maps that a tool's own user space would size and print (docs/run.md, "Maps: sizes and
// printing"), on the real kernel: unsized maps load with defaults or --map-size, maps
// nobody configured print at exit, bpf_printk-only programs point to (or stream) trace_pipe.
#include <fcntl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <csignal>
#include <regex>
#include <sstream>
#include <thread>

#include "harness.h"

namespace lmp::test {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

class MapsTest : public ProgramSuite<MapsTest> {
 public:
  static std::vector<std::string> programs() { return {"maps_sizes", "maps_hist", "maps_printk"}; }
};

// write() calls of this process, of `size` bytes each, to /dev/null.
void write_null(int count, std::size_t size = 100) {
  int fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
  std::string data(size, 'x');
  for (int i = 0; i < count; ++i) (void)!write(fd, data.data(), data.size());
  close(fd);
}

// Waits (up to 15 s) until a `-v` run says it is attached.
bool wait_attached(Background& run) {
  return run.wait_for(
      [&](const std::string&) { return run.err().find("Running") != std::string::npos; }, 15s);
}

std::size_t count_of(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

TEST_F(MapsTest, UnsizedMapsLoadWithDefaults) {
  Outcome o = run_lmp({"run", "-v", "--duration", "0.5", package("maps_sizes")});
  EXPECT_EQ(o.exit_code, 0) << o.err;
  EXPECT_NE(o.err.find("map counts: max_entries 0 -> 10240"), std::string::npos) << o.err;
  EXPECT_NE(o.err.find("map stacks: value size 0 -> 1016"), std::string::npos) << o.err;
  EXPECT_NE(o.err.find("map stacks: max_entries 0 -> 10240"), std::string::npos) << o.err;
  EXPECT_NE(o.err.find("map per_cpu_calls: max_entries 0 -> "), std::string::npos) << o.err;
  EXPECT_NE(o.err.find("map events: max_entries 0 -> 262144"), std::string::npos) << o.err;
}

TEST_F(MapsTest, MapSizeOverridesTheDefault) {
  Outcome o = run_lmp(
      {"run", "-v", "--duration", "0.5", "--map-size", "counts=100", package("maps_sizes")});
  EXPECT_EQ(o.exit_code, 0) << o.err;
  EXPECT_NE(o.err.find("map counts: max_entries 100 (--map-size)"), std::string::npos) << o.err;
}

TEST_F(MapsTest, BadMapSizeIsAOneLineUsageError) {
  Outcome unknown = run_lmp({"run", "--map-size", "nosuch=5", package("maps_sizes")});
  EXPECT_EQ(unknown.exit_code, 2);
  EXPECT_EQ(unknown.err,
            "error: --map-size: no map nosuch (maps: counts, stacks, per_cpu_calls, events)\n");
  Outcome malformed = run_lmp({"run", "--map-size", "counts=abc", package("maps_sizes")});
  EXPECT_EQ(malformed.exit_code, 2);
  EXPECT_EQ(count_of(malformed.err, "\n"), 1u) << malformed.err;
  EXPECT_NE(malformed.err.find("--map-size counts=abc"), std::string::npos) << malformed.err;
}

TEST_F(MapsTest, MapTheKernelRefusesIsNamedWithItsSettings) {
  // A hash map of 2^32-1 entries is more than the kernel allows (E2BIG, nothing allocated).
  Outcome o = run_lmp({"run", "--map-size", "counts=4294967295", package("maps_sizes")});
  EXPECT_EQ(o.exit_code, 5) << o.err;
  EXPECT_NE(o.err.find("cannot create map counts (hash, key 4 B, value 8 B, max_entries "
                       "4294967295)"),
            std::string::npos)
      << o.err;
  EXPECT_NE(o.err.find("--map-size counts=N"), std::string::npos) << o.err;
}

TEST_F(MapsTest, HistogramsAndCountersPrintOnCtrlC) {
  Background run({"run", "-v", package("maps_hist")});
  ASSERT_TRUE(wait_attached(run)) << run.err();
  write_null(300, 100);  // slot 6: 64 -> 127
  Outcome o = run.stop(SIGINT);
  EXPECT_EQ(o.exit_code, 0) << o.err;
  // Both histogram forms, drawn: the struct with `slots` and the counts keyed by slot.
  EXPECT_NE(o.out.find(" hists\n"), std::string::npos) << o.out;
  EXPECT_NE(o.out.find(" size_slots\n"), std::string::npos) << o.out;
  EXPECT_GE(count_of(o.out, "distribution"), 2u) << o.out;
  EXPECT_TRUE(std::regex_search(o.out, std::regex("64 -> 127 +: [0-9]+ +\\|\\*"))) << o.out;
  // The per-CPU scratch buffer is not a result.
  EXPECT_EQ(o.out.find("scratch"), std::string::npos) << o.out;

  // The counter table: this process's writes, under its pid and comm, largest first.
  auto table = o.out.find(" writes\nPID");
  ASSERT_NE(table, std::string::npos) << o.out;
  std::istringstream rows(o.out.substr(table));
  std::string line;
  std::getline(rows, line);  // time and name
  std::getline(rows, line);  // header
  bool mine = false;
  uint64_t previous = UINT64_MAX;
  while (std::getline(rows, line) && !line.empty()) {
    std::istringstream cells(line);
    std::string pid, comm;
    uint64_t value = 0;
    cells >> pid >> comm >> value;
    EXPECT_LE(value, previous) << line;
    previous = value;
    if (pid == std::to_string(getpid())) {
      mine = true;
      EXPECT_GE(value, 300u) << line;
    }
  }
  EXPECT_TRUE(mine) << o.out;
}

TEST_F(MapsTest, HistogramPrintsAtTheEndOfDuration) {
  Background run({"run", "--duration", "1.5", package("maps_hist")});
  bool seen = run.wait_for(
      [](const std::string& out) { return out.find(" size_slots\n") != std::string::npos; }, 10s,
      [] { write_null(20); });
  // It ends by itself at 1.5 s: wait for that (a SIGINT sent while it detaches, under load,
  // would end it with 130 and test the signal instead).
  auto deadline = std::chrono::steady_clock::now() + 10s;
  while (run.running() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(20ms);
    run.pump();
  }
  EXPECT_FALSE(run.running()) << "still running 10 s after --duration 1.5";
  Outcome o = run.stop();
  ASSERT_TRUE(seen) << o.out << o.err;
  EXPECT_EQ(o.exit_code, 0) << o.err;
  EXPECT_NE(o.out.find("|*"), std::string::npos) << o.out;
}

TEST_F(MapsTest, IntervalPrintsEverySecond) {
  auto start = std::chrono::steady_clock::now();
  std::thread writer([&] {
    while (std::chrono::steady_clock::now() - start < 2500ms) {
      write_null(5);
      std::this_thread::sleep_for(50ms);
    }
  });
  Outcome o = run_lmp({"run", "--interval", "1", "--duration", "2.5", package("maps_hist")});
  writer.join();
  EXPECT_EQ(o.exit_code, 0) << o.err;
  // At 1 s, at 2 s and at the end.
  EXPECT_GE(count_of(o.out, " size_slots\n"), 2u) << o.out;
}

TEST_F(MapsTest, PrintkOnlyProgramPointsToTracePipe) {
  Outcome o = run_lmp({"run", "--duration", "0.5", package("maps_printk")});
  EXPECT_EQ(o.exit_code, 0) << o.err;
  EXPECT_EQ(o.out, "");
  EXPECT_EQ(count_of(o.err, "\n"), 1u) << o.err;
  EXPECT_NE(o.err.find("/trace_pipe (lmp run --trace-pipe shows it)"), std::string::npos) << o.err;
}

TEST_F(MapsTest, TracePipeStreamsOurOwnPrintk) {
  std::string mine = "lmp-maps-printk " + std::to_string(getpid());
  Background run({"run", "--trace-pipe", package("maps_printk")});
  bool seen =
      run.wait_for([&](const std::string& out) { return out.find(mine) != std::string::npos; }, 15s,
                   [] { syscall(SYS_getppid); });
  Outcome o = run.stop();
  ASSERT_TRUE(seen) << o.out.substr(0, 2000) << o.err;
  EXPECT_EQ(o.exit_code, 0) << o.err;
  EXPECT_EQ(o.err.find("trace_pipe"), std::string::npos) << o.err;  // no note: it streams
}

}  // namespace
}  // namespace lmp::test
