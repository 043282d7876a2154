#include "registry/progress.h"

#include <unistd.h>

#include <algorithm>

#include "common/log.h"
#include "common/terminal.h"

namespace lmp::registry {
namespace {

constexpr std::size_t kMaxBar = 30;  // columns inside the brackets
constexpr std::size_t kMinBar = 5;
constexpr std::size_t kMinLabel = 8;  // the label is cut to no less, while something else can go

std::string bar_text(std::uint64_t now, std::uint64_t total, std::size_t inner) {
  std::size_t filled = static_cast<std::size_t>(inner * std::min(now, total) / total);
  return "[" + std::string(filled, '=') + std::string(inner - filled, ' ') + "]";
}

}  // namespace

std::size_t display_width(std::string_view text) {
  return static_cast<std::size_t>(
      std::count_if(text.begin(), text.end(), [](char c) { return (c & 0xC0) != 0x80; }));
}

std::string clip_to_width(std::string_view text, std::size_t columns) {
  if (display_width(text) <= columns) return std::string(text);
  if (columns == 0) return "";
  std::string out;
  std::size_t used = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    bool starts = (text[i] & 0xC0) != 0x80;
    if (starts && used == columns - 1) break;
    if (starts) ++used;
    out += text[i];
  }
  return out + "…";
}

std::string progress_line(std::string_view label, std::uint64_t now, std::uint64_t total,
                          std::size_t width) {
  std::size_t room = width > 1 ? width - 1 : 0;
  std::string sizes = total > 0 ? human_size(now) + " / " + human_size(total) : human_size(now);
  std::string percent =
      total > 0 ? std::to_string(100 * std::min(now, total) / total) + "%" : std::string();
  std::string stats = percent.empty() ? sizes : percent + " " + sizes;
  std::size_t label_width = display_width(label);
  if (total > 0) {
    // label + " " + [bar] + " " + stats, the bar as wide as fits (kMinBar..kMaxBar).
    std::size_t fixed = 1 + 2 + 1 + stats.size();
    std::size_t label_room =
        std::min(label_width, room > fixed + kMinBar ? room - fixed - kMinBar : 0);
    if (label_room >= std::min(label_width, kMinLabel)) {
      std::size_t inner = std::min(kMaxBar, room - fixed - label_room);
      return clip_to_width(label, label_room) + " " + bar_text(now, total, inner) + " " + stats;
    }
  }
  // No room for a bar: the label and as much of the numbers as fits.
  for (const std::string& tail : {stats, percent.empty() ? sizes : percent}) {
    if (room >= std::min(label_width, kMinLabel) + 1 + tail.size())
      return clip_to_width(label, room - 1 - tail.size()) + " " + tail;
  }
  return clip_to_width(label, room);
}

ProgressTarget stderr_progress_target() {
  ProgressTarget target;
  target.terminal = terminal::is_terminal(STDERR_FILENO);
  target.width = [] { return terminal::width(STDERR_FILENO); };
  target.write = [](std::string_view text) {
    std::fwrite(text.data(), 1, text.size(), stderr);
    std::fflush(stderr);
  };
  return target;
}

ProgressBar::ProgressBar(std::string label, std::string verb)
    : ProgressBar(std::move(label), std::move(verb), stderr_progress_target()) {
  enabled_ = enabled_ && log::level() <= log::Level::kInfo;
}

ProgressBar::ProgressBar(std::string label, std::string verb, ProgressTarget target)
    : label_(std::move(label)), verb_(std::move(verb)), target_(std::move(target)) {
  enabled_ = !label_.empty() && target_.write;
}

ProgressBar::~ProgressBar() {
  if (drawn_) target_.write("\r\033[K");
}

void ProgressBar::update(std::uint64_t now, std::uint64_t total) {
  if (!enabled_ || !target_.terminal || finished_) return;
  auto t = std::chrono::steady_clock::now();
  if (drawn_ && t - last_draw_ < std::chrono::milliseconds(100) && (total == 0 || now < total))
    return;
  last_draw_ = t;
  drawn_ = true;
  std::size_t width = target_.width ? target_.width() : 80;
  target_.write("\r" + progress_line(label_, now, total, width == 0 ? 80 : width) + "\033[K");
}

void ProgressBar::finish(std::uint64_t bytes) {
  if (!enabled_ || finished_) return;
  finished_ = true;
  if (!target_.terminal) target_.write(verb_ + " " + label_ + " " + human_size(bytes) + "\n");
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
