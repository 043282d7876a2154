// Download and upload progress on stderr, the only terminal output the registry module makes.
// On a terminal one line redrawn in place that always fits its width (read at every
// redraw, so a resize is followed); elsewhere (a pipe, a log file) one line per finished
// file: "Downloaded opensnoop:1.0.0 package.json 12.3 KiB".
#pragma once

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <string>
#include <string_view>

namespace lmp::registry {

// Where a bar draws: the seam that lets tests give any width and read what was written.
struct ProgressTarget {
  bool terminal = false;               // redraw in place; else one line per finished file
  std::function<std::size_t()> width;  // columns of the terminal
  std::function<void(std::string_view)> write;
};

// stderr: a terminal when it is one (terminal::width), else lines.
ProgressTarget stderr_progress_target();

class ProgressBar {
 public:
  // `label` names what moves ("opensnoop:1.0.0 package.json"); an empty label, or a log
  // level above info, disables the bar. `verb` starts the line of a finished file.
  explicit ProgressBar(std::string label, std::string verb = "Downloaded");
  ProgressBar(std::string label, std::string verb, ProgressTarget target);
  ~ProgressBar();  // clears the line
  ProgressBar(const ProgressBar&) = delete;
  ProgressBar& operator=(const ProgressBar&) = delete;

  // Redraws at most ten times a second (always at the end); `total` 0 means unknown.
  void update(std::uint64_t now, std::uint64_t total);
  // The transfer succeeded with `bytes`: off a terminal, prints the file's line.
  void finish(std::uint64_t bytes);

 private:
  std::string label_;
  std::string verb_;
  ProgressTarget target_;
  bool enabled_ = false;
  bool drawn_ = false;
  bool finished_ = false;
  std::chrono::steady_clock::time_point last_draw_{};
};

// The bar's text for a terminal `width` columns wide, at most width - 1 columns (the
// cursor never reaches the last column, so nothing wraps): the bar shrinks first, then
// the label (cut with "…"), then the sizes, then the percentage.
std::string progress_line(std::string_view label, std::uint64_t now, std::uint64_t total,
                          std::size_t width);

// Columns `text` takes: UTF-8 code points (lmp's labels have no wide characters).
std::size_t display_width(std::string_view text);

// `text` cut to `columns`, ending in "…" when cut.
std::string clip_to_width(std::string_view text, std::size_t columns);

// "1.5 MiB", "312 B".
std::string human_size(std::uint64_t bytes);

}  // namespace lmp::registry
