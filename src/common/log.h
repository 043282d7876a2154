// The one logger. stdout is data, stderr is talk: everything here goes to stderr.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace lmp::log {

enum class Level { kDebug = 0, kInfo = 1, kWarn = 2, kError = 3, kQuiet = 4 };

// Messages below this level are dropped. Default kInfo; `-v` sets kDebug.
void set_level(Level level);
Level level();
bool debug_enabled();

// "debug", "info", "warn", "error" or "quiet" (`--log-level`); nullopt for anything else.
std::optional<Level> parse_level(std::string_view name);

void debug(std::string_view message);
void info(std::string_view message);
void warn(std::string_view message);
void error(std::string_view message);

// The prefixes of error and warning lines: "error: " in red and "warning: " in yellow when
// stderr is a terminal that wants colour (terminal::color_enabled), else plain text.
std::string error_prefix();
std::string warning_prefix();

}  // namespace lmp::log
