// What the terminal lmp writes to can do: its width, and whether colour is wanted.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace lmp::terminal {

// True when `fd` is a terminal.
bool is_terminal(int fd);

// Columns of the terminal on `fd`: TIOCGWINSZ, else $COLUMNS when set to a number, else 80.
// 0 ("no limit") when `fd` is not a terminal (a pipe or file).
std::size_t width(int fd);

// Colour on `fd`: it is a terminal, NO_COLOR is unset or empty, and TERM is not "dumb".
bool color_enabled(int fd);

// `text` with every line longer than `width` characters broken at spaces: a continuation
// line is indented like the line's description column (the text after a run of two or more
// spaces, as in "  -p, --pid PID    trace this pid"), else like the line. A word longer than
// the room stays whole. Width 0: `text` unchanged.
std::string wrap_text(std::string_view text, std::size_t width);

// ANSI sequences, to be used only when color_enabled().
inline constexpr std::string_view kBold = "\x1b[1m";
inline constexpr std::string_view kRed = "\x1b[31m";
inline constexpr std::string_view kYellow = "\x1b[33m";
inline constexpr std::string_view kReset = "\x1b[0m";

}  // namespace lmp::terminal
