#include "hub/terminal.h"

#include <fcntl.h>
#include <termios.h>
#include <unistd.h>

#include "common/unique_fd.h"

namespace lmp::hub {

Result<std::string> ask_terminal(const std::string& question, bool secret) {
  UniqueFd tty(::open("/dev/tty", O_RDWR | O_CLOEXEC));
  if (!tty)
    return fail(ExitCode::kUsage, "no terminal to ask for the " + question,
                "pipe it in with --password-stdin");
  std::string prompt = question + ": ";
  (void)!::write(tty.get(), prompt.data(), prompt.size());
  termios saved{};
  bool quiet = secret && ::tcgetattr(tty.get(), &saved) == 0;
  if (quiet) {
    termios no_echo = saved;
    no_echo.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    ::tcsetattr(tty.get(), TCSAFLUSH, &no_echo);
  }
  std::string line;
  char c = 0;
  while (::read(tty.get(), &c, 1) == 1 && c != '\n' && line.size() < 4096) line += c;
  if (quiet) {
    ::tcsetattr(tty.get(), TCSAFLUSH, &saved);
    (void)!::write(tty.get(), "\n", 1);
  }
  return line;
}

}  // namespace lmp::hub
