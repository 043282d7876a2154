// End-to-end tests of the catalog tools whose user space is WebAssembly (catalog/NAME/app.c):
// `lmp run NAME` resolves NAME in the bundled catalog built beside the lmp binary, whose
// package carries app.wasm, and runs the guest. The guest's own output is checked: run times
// it computed (bootstrap), histograms it drew from the map it read and cleared (runqlat).
#include <sched.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <optional>
#include <regex>

#include "harness.h"

namespace lmp::test {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

std::string show_outcome(const Outcome& o) {
  return "exit " + std::to_string(o.exit_code) + "\nstdout:\n" + o.out.substr(0, 4000) +
         "\nstderr:\n" + o.err.substr(0, 2000);
}

// Forks a child that execs `path` as `name` with `args`; returns its pid without waiting.
pid_t spawn_named(const fs::path& path, const std::string& name,
                  const std::vector<std::string>& args) {
  pid_t pid = fork();
  if (pid == 0) {
    std::vector<char*> argv = {const_cast<char*>(name.c_str())};
    for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    execv(path.c_str(), argv.data());
    _exit(127);
  }
  return pid;
}

class CatalogWasmTest : public ::testing::Test {
 protected:
  void SetUp() override {
    LMP_REQUIRE_BPF_OR_SKIP();
    for (const char* tool : {"bootstrap", "runqlat"})
      ASSERT_TRUE(fs::exists(catalog() / tool / "app.wasm"))
          << (catalog() / tool).string() << " has no app.wasm: build the catalog target";
  }

  static fs::path catalog() { return fs::path(LMP_BINARY).parent_path() / "catalog"; }

  // Only the bundled catalog resolves names, through an empty cache.
  RunOptions options() const {
    RunOptions o;
    o.env = {"LMP_HOME=" + (home_.path() / "home").string(), "LMP_REPOSITORY="};
    return o;
  }

  TempDir home_;
};

// "EXIT  PID  PPID  COMM  exit CODE after MS.USEC ms (PATH)" for `pid`: the run time in ms.
std::optional<double> exit_line_ms(const std::string& out, pid_t pid, const std::string& comm,
                                   int code, const fs::path& path) {
  std::regex line("EXIT +" + std::to_string(pid) + " +" + std::to_string(getpid()) + " +" + comm +
                  " +exit " + std::to_string(code) + " after ([0-9]+\\.[0-9]{3}) ms \\(" +
                  path.string() + "\\)");
  std::smatch m;
  if (!std::regex_search(out, m, line)) return std::nullopt;
  return std::stod(m[1]);
}

TEST_F(CatalogWasmTest, BootstrapGuestComputesRunTimeOfChild) {
  TempDir dir;
  const std::string name = "lmpbw" + std::to_string(getpid() % 100000);
  fs::path binary = copy_binary(dir.path(), name, "/bin/sleep");
  Background run({"run", "bootstrap"}, options());
  // The guest prints its header once everything is attached.
  ASSERT_TRUE(
      run.wait_for([](const std::string& out) { return out.find("EVENT") != out.npos; }, 20s))
      << show_outcome(run.stop());
  pid_t child = spawn_named(binary, name, {"0.2"});
  ASSERT_GT(child, 0);
  waitpid(child, nullptr, 0);
  bool seen = run.wait_for(
      [&](const std::string& out) { return exit_line_ms(out, child, name, 0, binary).has_value(); },
      10s);
  Outcome o = run.stop();
  ASSERT_TRUE(seen) << show_outcome(o);
  EXPECT_EQ(o.exit_code, 0) << show_outcome(o);
  double ms = *exit_line_ms(o.out, child, name, 0, binary);
  EXPECT_GE(ms, 195.0) << show_outcome(o);
  EXPECT_LT(ms, 5000.0) << show_outcome(o);
  std::regex exec_line("EXEC +" + std::to_string(child) + " +" + std::to_string(getpid()) + " +" +
                       name + " +" + binary.string());
  EXPECT_TRUE(std::regex_search(o.out, exec_line)) << show_outcome(o);
}

TEST_F(CatalogWasmTest, BootstrapMinDurationShowsOnlyLongRuns) {
  TempDir dir;
  const std::string tag = std::to_string(getpid() % 100000);
  fs::path slow = copy_binary(dir.path(), "lmpbws" + tag, "/bin/sleep");
  fs::path quick = copy_binary(dir.path(), "lmpbwq" + tag, "/bin/true");
  Background run({"run", "bootstrap", "-d", "100"}, options());
  ASSERT_TRUE(
      run.wait_for([](const std::string& out) { return out.find("EVENT") != out.npos; }, 20s))
      << show_outcome(run.stop());
  pid_t fast_child = spawn_named(quick, "lmpbwq" + tag, {});
  waitpid(fast_child, nullptr, 0);
  pid_t slow_child = spawn_named(slow, "lmpbws" + tag, {"0.15"});
  waitpid(slow_child, nullptr, 0);
  bool seen = run.wait_for(
      [&](const std::string& out) {
        return exit_line_ms(out, slow_child, "lmpbws" + tag, 0, slow).has_value();
      },
      10s);
  Outcome o = run.stop();
  ASSERT_TRUE(seen) << show_outcome(o);
  EXPECT_GE(*exit_line_ms(o.out, slow_child, "lmpbws" + tag, 0, slow), 100.0);
  EXPECT_EQ(o.out.find("lmpbwq" + tag), std::string::npos) << show_outcome(o);
  EXPECT_EQ(o.out.find(" EXEC "), std::string::npos) << "-d hides EXEC lines\n" << show_outcome(o);
}

TEST_F(CatalogWasmTest, BootstrapHelpAndBadOptionComeFromTheGuest) {
  Outcome help = run_lmp({"run", "bootstrap", "-h"}, options());
  EXPECT_EQ(help.exit_code, 0) << show_outcome(help);
  EXPECT_NE(help.out.find("Usage: bootstrap [-d MS] [-h]"), std::string::npos)
      << show_outcome(help);
  EXPECT_NE(help.out.find("computed by this program"), std::string::npos) << show_outcome(help);

  Outcome bad = run_lmp({"run", "bootstrap", "-d", "soon"}, options());
  EXPECT_EQ(bad.exit_code, 2) << show_outcome(bad);
  EXPECT_EQ(bad.err, "bootstrap: invalid duration 'soon': expected milliseconds, e.g. -d 100\n")
      << show_outcome(bad);
}

// Number of "HH:MM:SS" lines: one per interval the guest printed.
size_t interval_count(const std::string& out) {
  std::regex stamp("(^|\n)[0-9]{2}:[0-9]{2}:[0-9]{2}\n");
  return std::distance(std::sregex_iterator(out.begin(), out.end(), stamp), std::sregex_iterator());
}

void cause_scheduling() {
  for (int i = 0; i < 20; ++i) {
    pid_t pid = fork();
    if (pid == 0) {
      sched_yield();
      _exit(0);
    }
    waitpid(pid, nullptr, 0);
  }
}

TEST_F(CatalogWasmTest, RunqlatGuestDrawsHistogramEveryIntervalThenStops) {
  Background run({"run", "runqlat", "-i", "1", "-c", "2"}, options());
  bool drawn = run.wait_for(
      [](const std::string& out) {
        return out.find("     usecs               : count    distribution\n") != out.npos &&
               out.find("|*") != out.npos;
      },
      20s, cause_scheduling);
  // -c 2: the guest ends by itself after its second interval.
  auto deadline = std::chrono::steady_clock::now() + 10s;
  while (run.running() && std::chrono::steady_clock::now() < deadline) {
    cause_scheduling();
    run.pump();
  }
  bool ended = !run.running();
  Outcome o = run.stop();
  ASSERT_TRUE(drawn) << show_outcome(o);
  EXPECT_TRUE(ended) << show_outcome(o);
  EXPECT_EQ(o.exit_code, 0) << show_outcome(o);
  EXPECT_EQ(interval_count(o.out), 2u) << show_outcome(o);
  std::regex row(R"( +[0-9]+ -> [0-9]+ +: [0-9]+ +\|[* ]{40}\|)");
  EXPECT_TRUE(std::regex_search(o.out, row)) << show_outcome(o);
}

TEST_F(CatalogWasmTest, RunqlatGuestPerProcessNamesEachHistogram) {
  Background run({"run", "runqlat", "-P"}, options());
  const std::regex named(R"(\npid = [0-9]+ comm = \S+\n     usecs)");
  bool seen = run.wait_for(
      [&](const std::string& out) {
        return std::regex_search(out, named) && out.find("|*") != out.npos;
      },
      20s, cause_scheduling);
  Outcome o = run.stop();
  ASSERT_TRUE(seen) << show_outcome(o);
  EXPECT_EQ(o.exit_code, 0) << show_outcome(o);
}

TEST_F(CatalogWasmTest, RunqlatGuestRefusesBadOptions) {
  Outcome both = run_lmp({"run", "runqlat", "-P", "-L"}, options());
  EXPECT_EQ(both.exit_code, 2) << show_outcome(both);
  // The first run pulls: stderr, not a terminal, has one "Downloaded ..." line per file.
  std::string err = std::regex_replace(both.err, std::regex("Downloaded [^\n]*\n"), "");
  EXPECT_EQ(err, "runqlat: -P and -L exclude each other: choose one\n") << show_outcome(both);
  Outcome zero = run_lmp({"run", "runqlat", "--interval=0"}, options());
  EXPECT_EQ(zero.exit_code, 2) << show_outcome(zero);
  EXPECT_NE(zero.err.find("--interval"), std::string::npos) << show_outcome(zero);
}

}  // namespace
}  // namespace lmp::test
