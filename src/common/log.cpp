#include "common/log.h"

#include <unistd.h>

#include <cstdio>
#include <string>

#include "common/terminal.h"

namespace lmp::log {
namespace {

Level g_level = Level::kInfo;

// `word` followed by ": ", the word coloured when stderr is a colour terminal.
std::string prefix(std::string_view word, std::string_view color) {
  static const bool kColor = terminal::color_enabled(STDERR_FILENO);
  std::string text;
  if (kColor) {
    text.append(terminal::kBold).append(color).append(word).append(":").append(terminal::kReset);
    text.append(" ");
  } else {
    text.append(word).append(": ");
  }
  return text;
}

void emit(Level at, std::string_view prefix, std::string_view message) {
  if (at < g_level) return;
  std::string line(prefix);
  line.append(message);
  line.push_back('\n');
  std::fwrite(line.data(), 1, line.size(), stderr);
}

}  // namespace

void set_level(Level level) {
  g_level = level;
}
Level level() {
  return g_level;
}
bool debug_enabled() {
  return g_level <= Level::kDebug;
}

std::optional<Level> parse_level(std::string_view name) {
  if (name == "debug") return Level::kDebug;
  if (name == "info") return Level::kInfo;
  if (name == "warn" || name == "warning") return Level::kWarn;
  if (name == "error") return Level::kError;
  if (name == "quiet") return Level::kQuiet;
  return std::nullopt;
}

std::string error_prefix() {
  return prefix("error", terminal::kRed);
}
std::string warning_prefix() {
  return prefix("warning", terminal::kYellow);
}

void debug(std::string_view message) {
  emit(Level::kDebug, "debug: ", message);
}
void info(std::string_view message) {
  emit(Level::kInfo, "", message);
}
void warn(std::string_view message) {
  emit(Level::kWarn, warning_prefix(), message);
}
void error(std::string_view message) {
  emit(Level::kError, error_prefix(), message);
}

}  // namespace lmp::log
