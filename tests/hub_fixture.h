// A real lmp-hub on a loopback port with its own data directory, for the hub suites: start,
// stop, kill -9 and restart it, run its admin commands, and run lmp against it.
#pragma once

#include <httplib.h>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "harness.h"

namespace lmp::test {

class HubProcess {
 public:
  explicit HubProcess(std::filesystem::path data_dir) : data_dir_(std::move(data_dir)) {}
  ~HubProcess() { stop(); }

  // Starts `lmp-hub serve` on 127.0.0.1:0 and waits for its "listening on URL" line.
  // Returns false (with the output in `last_error`) when it did not come up.
  bool start(const std::vector<std::string>& extra_args = {});
  // SIGTERM and wait; returns the exit code.
  int stop();
  // SIGKILL: a crash.
  void kill9();

  const std::string& url() const { return url_; }
  std::string host() const;
  int port() const;
  const std::filesystem::path& data_dir() const { return data_dir_; }
  std::string last_error;

  // `lmp-hub ARGS... --data DIR`.
  Outcome admin(const std::vector<std::string>& args, const std::string& input = {}) const;

  httplib::Client client() const;

 private:
  std::filesystem::path data_dir_;
  std::unique_ptr<Background> process_;
  std::string url_;
};

// `lmp ARGS...` with LMP_HOME=home, LMP_REPOSITORY and LMP_HUB pointing at the hub.
Outcome lmp_with_hub(const HubProcess& hub, const std::filesystem::path& home,
                     const std::vector<std::string>& args, const std::string& input = {},
                     const std::filesystem::path& cwd = {});

// A package directory ready for `lmp publish`: package.json (and app.wasm) copied from
// `from`, with a config.json of the given name and version and a README.
void make_publish_dir(const std::filesystem::path& dir, const std::filesystem::path& from,
                      const std::string& name, const std::string& version,
                      const std::string& readme = "# test package\n\nA package for tests.\n");

// The built test package (tests/programs/opentrace), built once per process.
std::filesystem::path opentrace_package_dir();

// POST /api/v1/login; the token or "" (the status in `status`).
std::string hub_login(const HubProcess& hub, const std::string& user, const std::string& password,
                      int* status = nullptr);

// A multipart publish of `files` (file name -> content) with `token`.
httplib::Result hub_publish(const HubProcess& hub, const std::string& token,
                            const std::vector<std::pair<std::string, std::string>>& files);

std::string read_file_text(const std::filesystem::path& path);
void write_file_text(const std::filesystem::path& path, const std::string& text);

}  // namespace lmp::test
