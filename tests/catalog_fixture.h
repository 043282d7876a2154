// The bundled catalog built once per test binary, and helpers to run its tools with
// `lmp run --json` and read their events (catalog_test.cpp, catalog_output_test.cpp).
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "harness.h"

namespace lmp::test {

using namespace std::chrono_literals;

inline const std::vector<std::string> kTools = {
    "biolatency", "bootstrap", "execsnoop", "exitsnoop", "mountsnoop", "opensnoop",
    "runqlat",    "sigsnoop",  "statsnoop", "syscount",  "tcpstates",
};

inline std::filesystem::path catalog_dir() {
  return source_dir() / "catalog";
}

inline std::string read_text(const std::filesystem::path& path) {
  std::ifstream in(path);
  return std::string((std::istreambuf_iterator<char>(in)), {});
}

// Every line of `out` that parses as a JSON object (sampled maps may print other lines).
inline std::vector<nlohmann::json> json_objects(const std::string& out) {
  std::vector<nlohmann::json> objects;
  std::istringstream in(out);
  std::string line;
  while (std::getline(in, line)) {
    nlohmann::json j = nlohmann::json::parse(line, nullptr, false);
    if (!j.is_discarded() && j.is_object()) objects.push_back(std::move(j));
  }
  return objects;
}

// Member `key` of `event`, or null when it has none (so comparisons are simply false).
inline const nlohmann::json& field(const nlohmann::json& event, const char* key) {
  static const nlohmann::json null;
  auto it = event.find(key);
  return it == event.end() ? null : *it;
}

// True when some JSON line of `out` satisfies `match`.
inline bool any_event(const std::string& out,
                      const std::function<bool(const nlohmann::json&)>& match) {
  for (const nlohmann::json& event : json_objects(out))
    if (match(event)) return true;
  return false;
}

// Forks a child running `body` and waits for it; returns the child's pid.
inline pid_t run_child(const std::function<void()>& body) {
  pid_t pid = fork();
  if (pid == 0) {
    body();
    _exit(0);
  }
  waitpid(pid, nullptr, 0);
  return pid;
}

// Packages built once for the whole suite: tool name -> package.json.
class CatalogTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    packages_ = new PackageSet(catalog_dir(), {kTools.begin(), kTools.end()});
  }
  static void TearDownTestSuite() {
    delete packages_;
    packages_ = nullptr;
  }
  void SetUp() override { LMP_REQUIRE_BPF_OR_SKIP(); }

  static std::string package(const std::string& name) { return packages_->path(name); }

  // Runs `lmp run --json TOOL ARGS...`, repeating `action` until an event satisfies `match`;
  // returns the outcome with all output, and whether the event was seen.
  static std::pair<bool, Outcome> run_until(const std::string& tool,
                                            const std::vector<std::string>& args,
                                            const std::function<bool(const nlohmann::json&)>& match,
                                            const std::function<void()>& action,
                                            std::chrono::milliseconds timeout = 20s) {
    std::vector<std::string> argv = {"run", "--json", package(tool)};
    argv.insert(argv.end(), args.begin(), args.end());
    Background run(argv);
    size_t scanned = 0;
    bool seen = run.wait_for(
        [&](const std::string& out) {
          // Only look at complete lines not checked yet.
          size_t end = out.rfind('\n');
          if (end == std::string::npos || end + 1 <= scanned) return false;
          std::string fresh = out.substr(scanned, end + 1 - scanned);
          scanned = end + 1;
          return any_event(fresh, match);
        },
        timeout, action);
    return {seen, run.stop()};
  }

  static inline PackageSet* packages_ = nullptr;
};

inline std::string show(const Outcome& o) {
  return "exit " + std::to_string(o.exit_code) + "\nstdout:\n" + o.out.substr(0, 3000) +
         "\nstderr:\n" + o.err.substr(0, 2000);
}

// A TCP listener on 127.0.0.1 (an ephemeral port) that connects to itself on demand, for
// the tcpstates tests.
class LoopbackListener {
 public:
  LoopbackListener() {
    fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    addr_.sin_family = AF_INET;
    addr_.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr_;
    if (fd_ < 0 || bind(fd_, reinterpret_cast<sockaddr*>(&addr_), sizeof addr_) != 0 ||
        listen(fd_, 16) != 0 || getsockname(fd_, reinterpret_cast<sockaddr*>(&addr_), &len) != 0)
      port_ = -1;
    else
      port_ = ntohs(addr_.sin_port);
  }
  ~LoopbackListener() {
    if (fd_ >= 0) close(fd_);
  }
  LoopbackListener(const LoopbackListener&) = delete;
  LoopbackListener& operator=(const LoopbackListener&) = delete;

  int port() const { return port_; }  // -1 when the listener could not be set up

  // One connection from a new socket, accepted and closed.
  void connect_once() const {
    int client = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (client < 0) return;
    if (connect(client, reinterpret_cast<const sockaddr*>(&addr_), sizeof addr_) == 0) {
      int accepted = accept(fd_, nullptr, nullptr);
      if (accepted >= 0) close(accepted);
    }
    close(client);
  }

 private:
  int fd_ = -1;
  int port_ = -1;
  sockaddr_in addr_{};
};

// A child that survives SIGUSR1 until killed; ready once its handler is installed.
class SignalTarget {
 public:
  SignalTarget() {
    int ready[2];
    if (pipe(ready) != 0) return;
    pid_ = fork();
    if (pid_ == 0) {
      signal(SIGUSR1, [](int) {});
      close(ready[0]);
      if (write(ready[1], "r", 1) != 1) _exit(1);
      for (;;) pause();
    }
    close(ready[1]);
    char c;
    if (read(ready[0], &c, 1) != 1) pid_ = -1;
    close(ready[0]);
  }
  ~SignalTarget() {
    if (pid_ > 0) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
  }
  pid_t pid() const { return pid_; }

 private:
  pid_t pid_ = -1;
};

}  // namespace lmp::test
