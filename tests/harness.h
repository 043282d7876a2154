// Helpers for integration tests: run the real lmp binary, in the foreground or in the
// background, and decide whether eBPF tests may run here.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace lmp::test {

struct Outcome {
  int exit_code = -1;  // exit status, or 128+signal when killed
  std::string out;     // stdout
  std::string err;     // stderr
};

struct RunOptions {
  std::filesystem::path cwd;
  std::chrono::milliseconds timeout{60000};
  bool as_nobody = false;        // drop to uid/gid 65534 before exec
  std::vector<std::string> env;  // extra NAME=VALUE entries
  std::string input;             // written to stdin (else stdin is /dev/null); at most 64 KiB
};

// Runs `lmp ARGS...` to completion (killed after the timeout).
Outcome run_lmp(const std::vector<std::string>& args, const RunOptions& options = {});

// Runs any program to completion.
Outcome run_program(const std::vector<std::string>& argv, const RunOptions& options = {});

// A running lmp process whose stdout/stderr are collected in the background.
class Background {
 public:
  Background(const std::vector<std::string>& args, const RunOptions& options = {});
  // Any program in the background: argv[0] is its path.
  static std::unique_ptr<Background> program(const std::vector<std::string>& argv,
                                             const RunOptions& options = {});
  ~Background();
  Background(const Background&) = delete;
  Background& operator=(const Background&) = delete;

  // Drains available output without blocking.
  void pump();
  const std::string& out() const { return out_; }
  const std::string& err() const { return err_; }
  bool running();
  pid_t pid() const { return pid_; }
  // Repeats `action` and pumps output until `done(stdout)` holds or the timeout passes.
  bool wait_for(const std::function<bool(const std::string&)>& done,
                std::chrono::milliseconds timeout, const std::function<void()>& action = {});
  // Sends `sig`, waits for exit and returns the outcome with all output.
  Outcome stop(int sig = 2);

 private:
  struct ProgramTag {};
  Background(ProgramTag, const std::vector<std::string>& argv, const RunOptions& options);

  pid_t pid_ = -1;
  int out_fd_ = -1;
  int err_fd_ = -1;
  int status_ = -1;
  std::string out_;
  std::string err_;
};

// A fresh temporary directory removed at destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

// Copies the program `from` to DIR/NAME, executable, so a process running it has a
// recognisable comm; returns the new path.
std::filesystem::path copy_binary(const std::filesystem::path& dir, const std::string& name,
                                  const char* from);

// True when eBPF programs can be loaded here (root and kernel BTF).
bool bpf_available();

// Builds the project in `dir` with `lmp build` once per test binary run; returns the
// package path or fails the test.
std::filesystem::path build_package(const std::filesystem::path& dir,
                                    const std::filesystem::path& out_dir);

std::filesystem::path source_dir();

// A whole file's bytes (empty when it cannot be read).
std::string slurp(const std::filesystem::path& path);
// Writes `text` to `path`, creating its directory.
void spit(const std::filesystem::path& path, const std::string& text);

// A TCP port on 127.0.0.1 that was free a moment ago (for servers a test starts).
int free_port();

// Projects built once with `lmp build` (ROOT/NAME for each name) into a temp dir.
class PackageSet {
 public:
  PackageSet(const std::filesystem::path& root, const std::vector<std::string>& names);
  // The package.json built for `name`; fails the current test (with the build's errors)
  // and returns a path that does not exist when that build failed.
  std::string path(const std::string& name) const;

 private:
  TempDir dir_;
  std::map<std::string, std::filesystem::path> packages_;
  std::string errors_;
};

}  // namespace lmp::test

// Skips the test when eBPF is unavailable; fails instead when LMP_REQUIRE_BPF=1.
#define LMP_REQUIRE_BPF_OR_SKIP()                                                                  \
  do {                                                                                             \
    if (!::lmp::test::bpf_available()) {                                                           \
      const char* req = std::getenv("LMP_REQUIRE_BPF");                                            \
      if (req && std::string(req) == "1") FAIL() << "eBPF unavailable (need root and kernel BTF)"; \
      GTEST_SKIP() << "eBPF unavailable (need root and kernel BTF)";                               \
    }                                                                                              \
  } while (0)

namespace lmp::test {

// A suite whose tests run packages of tests/programs, built once for the suite: the names
// come from `Suite::programs()`. Every test needs eBPF (LMP_REQUIRE_BPF_OR_SKIP).
template <class Suite>
class ProgramSuite : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    packages_ = std::make_unique<PackageSet>(source_dir() / "tests/programs", Suite::programs());
  }
  static void TearDownTestSuite() { packages_.reset(); }
  void SetUp() override { LMP_REQUIRE_BPF_OR_SKIP(); }

  // The package.json built for program `name` (PackageSet::path).
  static std::string package(const std::string& name) { return packages_->path(name); }

 private:
  static inline std::unique_ptr<PackageSet> packages_;
};

}  // namespace lmp::test
