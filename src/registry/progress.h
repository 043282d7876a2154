// A one-line download progress bar on stderr, drawn only when stderr is a terminal. This is
// the only terminal output the registry module makes.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace lmp::registry {

class ProgressBar {
 public:
  // `label` names what is downloading; an empty label disables the bar.
  explicit ProgressBar(std::string label);
  ~ProgressBar();  // clears the line
  ProgressBar(const ProgressBar&) = delete;
  ProgressBar& operator=(const ProgressBar&) = delete;

  // Redraws at most ten times a second; `total` 0 means unknown.
  void update(std::uint64_t now, std::uint64_t total);

 private:
  std::string label_;
  bool enabled_ = false;
  bool drawn_ = false;
  std::chrono::steady_clock::time_point last_draw_{};
};

// "1.5 MiB", "312 B".
std::string human_size(std::uint64_t bytes);

}  // namespace lmp::registry
