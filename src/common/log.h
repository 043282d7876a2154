// The one logger. stdout is data, stderr is talk: everything here goes to stderr.
#pragma once

#include <string_view>

namespace lmp::log {

enum class Level { kDebug = 0, kInfo = 1, kWarn = 2, kError = 3, kQuiet = 4 };

// Messages below this level are dropped. Default kInfo; `-v` sets kDebug.
void set_level(Level level);
Level level();
bool debug_enabled();

void debug(std::string_view message);
void info(std::string_view message);
void warn(std::string_view message);
void error(std::string_view message);

}  // namespace lmp::log
