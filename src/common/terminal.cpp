#include "common/terminal.h"

#include <sys/ioctl.h>
#include <unistd.h>

#include <cstdlib>
#include <string>

namespace lmp::terminal {

bool is_terminal(int fd) { return ::isatty(fd) == 1; }

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

}  // namespace lmp::terminal
