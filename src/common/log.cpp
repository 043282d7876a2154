#include "common/log.h"

#include <cstdio>
#include <string>

namespace lmp::log {
namespace {

Level g_level = Level::kInfo;

void emit(Level at, const char* prefix, std::string_view message) {
  if (at < g_level) return;
  std::string line = prefix;
  line.append(message);
  line.push_back('\n');
  std::fwrite(line.data(), 1, line.size(), stderr);
}

}  // namespace

void set_level(Level level) { g_level = level; }
Level level() { return g_level; }
bool debug_enabled() { return g_level <= Level::kDebug; }

void debug(std::string_view message) { emit(Level::kDebug, "debug: ", message); }
void info(std::string_view message) { emit(Level::kInfo, "", message); }
void warn(std::string_view message) { emit(Level::kWarn, "warning: ", message); }
void error(std::string_view message) { emit(Level::kError, "error: ", message); }

}  // namespace lmp::log
