#include "registry/progress.h"

#include <unistd.h>

#include <cstdio>

#include "common/log.h"

namespace lmp::registry {

ProgressBar::ProgressBar(std::string label) : label_(std::move(label)) {
  enabled_ = !label_.empty() && ::isatty(STDERR_FILENO) == 1 && log::level() <= log::Level::kInfo;
}

ProgressBar::~ProgressBar() {
  if (drawn_) std::fputs("\r\033[K", stderr);
}

void ProgressBar::update(std::uint64_t now, std::uint64_t total) {
  if (!enabled_) return;
  auto t = std::chrono::steady_clock::now();
  if (drawn_ && t - last_draw_ < std::chrono::milliseconds(100) && (total == 0 || now < total))
    return;
  last_draw_ = t;
  drawn_ = true;
  constexpr int kWidth = 30;
  std::string line = "\r" + label_ + " ";
  if (total > 0) {
    int filled = static_cast<int>(kWidth * std::min(now, total) / total);
    line += "[" + std::string(filled, '=') + std::string(kWidth - filled, ' ') + "] ";
    line += std::to_string(100 * std::min(now, total) / total) + "% ";
    line += human_size(now) + " / " + human_size(total);
  } else {
    line += human_size(now);
  }
  line += "\033[K";
  std::fputs(line.c_str(), stderr);
  std::fflush(stderr);
}

std::string human_size(std::uint64_t bytes) {
  static constexpr const char* kUnits[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  if (bytes < 1024) return std::to_string(bytes) + " B";
  double v = static_cast<double>(bytes);
  int unit = 0;
  while (v >= 1024 && unit < 4) v /= 1024, ++unit;
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f %s", v, kUnits[unit]);
  return buf;
}

}  // namespace lmp::registry
