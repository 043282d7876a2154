// Helpers of the WebAssembly integration suites (wasm_test.cpp, wasm_cache_test.cpp): the
// guests CMake compiles, and `lmp` run as a child process with stdin from a file, stdout and
// stderr into files, and its own environment.
#pragma once

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>
#include <thread>

#include "harness.h"

namespace lmp::test {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

inline fs::path guest(const std::string& name) {
  return fs::path(LMP_WASM_GUEST_DIR) / (name + ".wasm");
}

// `lmp ARGS...` with stdin from a file and stdout/stderr into files (harness.h's runners
// give the child no stdin, and guests read their eBPF object from it).
class LmpProcess {
 public:
  LmpProcess(const std::vector<std::string>& args, const fs::path& stdin_file = "/dev/null",
             const std::vector<std::string>& env = {}) {
    out_ = dir_.path() / "out";
    err_ = dir_.path() / "err";
    pid_ = fork();
    if (pid_ == 0) {
      int in = open(stdin_file.c_str(), O_RDONLY);
      int out = open(out_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
      int err = open(err_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
      if (in < 0 || out < 0 || err < 0) _exit(126);
      dup2(in, 0), dup2(out, 1), dup2(err, 2);
      for (const auto& e : env) putenv(strdup(e.c_str()));
      std::vector<std::string> all{LMP_BINARY};
      all.insert(all.end(), args.begin(), args.end());
      std::vector<char*> argv;
      for (auto& a : all) argv.push_back(a.data());
      argv.push_back(nullptr);
      execv(LMP_BINARY, argv.data());
      _exit(127);
    }
  }
  ~LmpProcess() {
    if (status_ < 0) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
  }
  LmpProcess(const LmpProcess&) = delete;
  LmpProcess& operator=(const LmpProcess&) = delete;

  std::string out() const { return slurp(out_); }
  std::string err() const { return slurp(err_); }

  // Waits for exit; the exit status, 128+signal, or -1 after killing it at the timeout.
  int wait(std::chrono::milliseconds timeout = 60s) {
    auto deadline = Clock::now() + timeout;
    while (status_ < 0) {
      int status = 0;
      if (waitpid(pid_, &status, WNOHANG) == pid_) {
        status_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
        break;
      }
      if (Clock::now() >= deadline) {
        kill(pid_, SIGKILL);
        waitpid(pid_, nullptr, 0);
        status_ = 1000;
        return -1;
      }
      std::this_thread::sleep_for(5ms);
    }
    return status_;
  }
  // Repeats `action` until stdout contains `text` or the timeout passes.
  bool wait_for_output(const std::string& text, std::chrono::milliseconds timeout,
                       const std::function<void()>& action = {}) {
    auto deadline = Clock::now() + timeout;
    while (Clock::now() < deadline) {
      if (out().find(text) != std::string::npos) return true;
      if (action) action();
      std::this_thread::sleep_for(20ms);
    }
    return out().find(text) != std::string::npos;
  }
  void signal(int sig) { kill(pid_, sig); }

 private:
  TempDir dir_;
  fs::path out_, err_;
  pid_t pid_ = -1;
  int status_ = -1;
};

struct Ran {
  int exit_code;
  std::string out;
  std::string err;
};

inline std::ostream& operator<<(std::ostream& os, const Ran& ran) {
  return os << "exit " << ran.exit_code << "\nstdout:\n" << ran.out << "\nstderr:\n" << ran.err;
}

inline Ran run_process(const std::vector<std::string>& args,
                       const fs::path& stdin_file = "/dev/null",
                       const std::vector<std::string>& env = {}) {
  LmpProcess process(args, stdin_file, env);
  int code = process.wait();
  return {code, process.out(), process.err()};
}

// The value printed as "name=VALUE" (up to the next space or newline), or "<missing>".
inline std::string value_of(const std::string& out, const std::string& name) {
  std::string key = name + "=";
  for (size_t at = out.find(key); at != std::string::npos; at = out.find(key, at + 1)) {
    if (at != 0 && out[at - 1] != '\n' && out[at - 1] != ' ') continue;
    size_t start = at + key.size();
    return out.substr(start, out.find_first_of(" \n", start) - start);
  }
  return "<missing>";
}

inline int line_count(const std::string& text) {
  return static_cast<int>(std::count(text.begin(), text.end(), '\n'));
}

// `wasm` with a custom section `name` holding `payload` appended: the same module to run, but
// other bytes (another cache key), or carrying an eBPF object as a built app.wasm does.
inline std::string with_custom_section(std::string wasm, const std::string& name,
                                       const std::string& payload) {
  auto leb = [](size_t n) {
    std::string out;
    do {
      uint8_t byte = n & 0x7f;
      n >>= 7;
      out += static_cast<char>(byte | (n ? 0x80 : 0));
    } while (n);
    return out;
  };
  std::string body = leb(name.size()) + name + payload;
  return wasm + '\0' + leb(body.size()) + body;
}

inline void write_file(const fs::path& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary) << bytes;
}

// A directory only `uid` can change (TempDir is 0777, which lmp refuses as LMP_HOME).
inline fs::path private_dir(const fs::path& path, uid_t uid = 0) {
  fs::create_directories(path);
  fs::permissions(path, fs::perms::owner_all);
  if (uid != 0 && chown(path.c_str(), uid, uid) != 0) ADD_FAILURE() << "chown " << path;
  return path;
}

}  // namespace lmp::test
