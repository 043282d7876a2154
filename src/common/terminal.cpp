#include "common/terminal.h"

#include <algorithm>
#include <vector>

#include <sys/ioctl.h>
#include <unistd.h>

#include <cstdlib>
#include <string>

namespace lmp::terminal {

bool is_terminal(int fd) {
  return ::isatty(fd) == 1;
}

std::size_t width(int fd) {
  if (!is_terminal(fd)) return 0;
  winsize size{};
  if (::ioctl(fd, TIOCGWINSZ, &size) == 0 && size.ws_col > 0) return size.ws_col;
  if (const char* columns = std::getenv("COLUMNS"); columns != nullptr && *columns != '\0') {
    char* end = nullptr;
    long n = std::strtol(columns, &end, 10);
    if (*end == '\0' && n > 0 && n < 100000) return static_cast<std::size_t>(n);
  }
  return 80;
}

bool color_enabled(int fd) {
  if (const char* no_color = std::getenv("NO_COLOR"); no_color != nullptr && *no_color != '\0')
    return false;
  if (const char* term = std::getenv("TERM"); term != nullptr && std::string_view(term) == "dumb")
    return false;
  return is_terminal(fd);
}

namespace {

std::size_t indent_of(std::string_view line) {
  std::size_t indent = line.find_first_not_of(' ');
  return indent == std::string_view::npos ? line.size() : indent;
}

// The column continuation lines of `line` start at: its description column (after a run of
// two or more spaces) when it has one, else its indent.
std::size_t hanging_indent(std::string_view line) {
  std::size_t indent = indent_of(line);
  std::size_t gap = line.find("  ", indent);
  if (gap != std::string_view::npos) {
    std::size_t column = line.find_first_not_of(' ', gap);
    if (column != std::string_view::npos && column <= line.size() / 2 + 8) return column;
  }
  return indent;
}

// Prose: a line of words with no description column.
bool is_prose(std::string_view line) {
  return indent_of(line) < line.size() && hanging_indent(line) == indent_of(line);
}

// "Usage: ...", "Options:": a line that starts with a label starts a paragraph of its own.
bool starts_with_label(std::string_view line) {
  line.remove_prefix(indent_of(line));
  std::size_t word_end = line.find(' ');
  std::string_view word = line.substr(0, word_end);
  return word.size() > 1 && word.back() == ':';
}

// Where to break `line` so its first part fits `room`: the last space within it past the
// indent, else the first space after it (a long word stays whole); npos when none.
std::size_t break_at(std::string_view line, std::size_t room) {
  std::size_t lead = indent_of(line);
  std::size_t cut = line.rfind(' ', room);
  if (cut == std::string_view::npos || cut < lead) cut = line.find(' ', std::max(room, lead));
  return cut;
}

// Appends `line` to `out` as lines that fit `width`, continuation lines hanging.
void wrap_line(std::string_view line, std::size_t width, std::vector<std::string>& out) {
  std::size_t hang = hanging_indent(line);
  if (hang + 12 > width) hang = indent_of(line) + 12 <= width ? indent_of(line) : 0;
  std::string current(line);
  while (current.size() > width) {
    std::size_t cut = break_at(current, width);
    if (cut == std::string::npos) break;
    std::size_t end = cut;
    while (end > 0 && current[end - 1] == ' ') --end;
    std::size_t next = current.find_first_not_of(' ', cut);
    out.push_back(current.substr(0, end));
    if (next == std::string::npos) return;
    current = std::string(hang, ' ') + current.substr(next);
  }
  out.push_back(std::move(current));
}

}  // namespace

std::string wrap_text(std::string_view text, std::size_t width) {
  if (width == 0) return std::string(text);
  std::vector<std::string_view> lines;
  for (std::size_t start = 0;;) {
    std::size_t newline = text.find('\n', start);
    lines.push_back(text.substr(start, newline - start));
    if (newline == std::string_view::npos) break;
    start = newline + 1;
  }
  // A paragraph of prose is reflowed: what does not fit on a line moves to the next one.
  std::vector<std::string> out;
  std::string carry;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    std::string line(lines[i]);
    if (!carry.empty()) {
      line = line.substr(0, indent_of(line)) + carry + " " + line.substr(indent_of(line));
      carry.clear();
    }
    bool next_continues = i + 1 < lines.size() && is_prose(line) && is_prose(lines[i + 1]) &&
                          indent_of(lines[i + 1]) == indent_of(line) &&
                          !starts_with_label(lines[i + 1]);
    if (next_continues && line.size() > width) {
      std::size_t cut = break_at(line, width);
      std::size_t next = cut == std::string::npos ? cut : line.find_first_not_of(' ', cut);
      if (next != std::string::npos) {
        std::size_t end = cut;
        while (end > 0 && line[end - 1] == ' ') --end;
        carry = line.substr(next);
        out.push_back(line.substr(0, end));
        continue;
      }
    }
    wrap_line(line, width, out);
  }
  std::string joined;
  for (std::size_t i = 0; i < out.size(); ++i) {
    if (i != 0) joined += '\n';
    joined += out[i];
  }
  return joined;
}

}  // namespace lmp::terminal
