// Debian's docker-registry (distribution 2.x) on 127.0.0.1 for the OCI suites: a fresh
// storage directory, optionally htpasswd (bcrypt) auth, killed at destruction.
#pragma once

#include <httplib.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <string>
#include <thread>

#include "harness.h"

namespace lmp::test {

inline constexpr const char* kRegistryBinary = "/usr/bin/docker-registry";
inline constexpr const char* kUser = "alice";
inline constexpr const char* kPassword = "s3cret-pw";

inline std::string sha256_of(const std::string& bytes) {
  TempDir dir;
  spit(dir.path() / "f", bytes);
  Outcome o = run_program({"sha256sum", (dir.path() / "f").string()});
  return o.out.substr(0, 64);
}

// A docker-registry process serving a fresh storage directory, killed at destruction.
class Registry {
 public:
  explicit Registry(bool with_auth) : port_(free_port()) {
    std::string config =
        "version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n"
        "    rootdirectory: " +
        (dir_.path() / "data").string() + "\nhttp:\n  addr: 127.0.0.1:" + std::to_string(port_) +
        "\n";
    if (with_auth) {
      Outcome h = run_program({"htpasswd", "-Bbn", kUser, kPassword});
      EXPECT_EQ(h.exit_code, 0) << h.err;
      spit(dir_.path() / "htpasswd", h.out);
      config += "auth:\n  htpasswd:\n    realm: lmp-test\n    path: " +
                (dir_.path() / "htpasswd").string() + "\n";
    }
    spit(dir_.path() / "config.yml", config);
    pid_ = ::fork();
    if (pid_ == 0) {
      std::string log = (dir_.path() / "registry.log").string();
      std::freopen(log.c_str(), "w", stdout);
      std::freopen(log.c_str(), "a", stderr);
      std::string cfg = (dir_.path() / "config.yml").string();
      ::execl(kRegistryBinary, kRegistryBinary, "serve", cfg.c_str(), nullptr);
      ::_exit(127);
    }
    httplib::Client client("127.0.0.1", port_);
    for (int i = 0; i < 200; ++i) {
      if (auto res = client.Get("/v2/"); res && (res->status == 200 || res->status == 401)) {
        ready_ = true;
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(25));
    }
  }
  ~Registry() {
    if (pid_ > 0) {
      ::kill(pid_, SIGTERM);
      ::waitpid(pid_, nullptr, 0);
    }
  }
  bool ready() const { return ready_; }
  int port() const { return port_; }
  std::string host() const { return "127.0.0.1:" + std::to_string(port_); }
  std::string ref(const std::string& repo_tag) const { return host() + "/" + repo_tag; }
  // Where the registry keeps blob CONTENT: DATA/docker/registry/v2/blobs/sha256/XX/HEX/data.
  std::filesystem::path blob_file(const std::string& sha256_hex) const {
    return dir_.path() / "data/docker/registry/v2/blobs/sha256" / sha256_hex.substr(0, 2) /
           sha256_hex / "data";
  }

 private:
  TempDir dir_;
  int port_;
  pid_t pid_ = -1;
  bool ready_ = false;
};

}  // namespace lmp::test
