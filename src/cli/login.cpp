// lmp login [REGISTRY] [-u USER] [--password-stdin]: check credentials against a registry's
// /v2/ endpoint and store them in LMP_HOME/credentials.json (mode 0600).
#include <fcntl.h>
#include <termios.h>
#include <unistd.h>

#include <cstdio>
#include <iostream>
#include <string>

#include "cli/command.h"
#include "common/log.h"
#include "registry/cache.h"
#include "registry/credentials.h"
#include "registry/oci_client.h"

namespace lmp::cli {
namespace {

constexpr const char* kUsage =
    "Usage: lmp login [REGISTRY] [-u USER] [--password-stdin]\n\n"
    "Checks the user name and password against REGISTRY (default ghcr.io) and stores them\n"
    "in LMP_HOME/credentials.json for push and pull. Without --password-stdin the password\n"
    "is read from the terminal.\n";

// Reads one line from the terminal, without echo when `secret`.
Result<std::string> prompt(const std::string& question, bool secret) {
  int fd = ::open("/dev/tty", O_RDWR | O_CLOEXEC);
  if (fd < 0)
    return fail(ExitCode::kUsage, "no terminal to ask for the " + question,
                "use -u USER and --password-stdin");
  std::string text = question + ": ";
  (void)!::write(fd, text.data(), text.size());
  termios saved{};
  bool restore = secret && ::tcgetattr(fd, &saved) == 0;
  if (restore) {
    termios quiet = saved;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    ::tcsetattr(fd, TCSAFLUSH, &quiet);
  }
  std::string line;
  char c = 0;
  while (::read(fd, &c, 1) == 1 && c != '\n' && line.size() < 4096) line += c;
  if (restore) {
    ::tcsetattr(fd, TCSAFLUSH, &saved);
    (void)!::write(fd, "\n", 1);
  }
  ::close(fd);
  return line;
}

}  // namespace

Result<int> login_command(Args args) {
  std::string registry_arg, user;
  bool password_stdin = false;
  for (std::size_t i = 1; i < args.size(); ++i) {
    std::string_view a = args[i];
    if (a == "-h" || a == "--help") {
      std::fputs(kUsage, stdout);
      return 0;
    } else if ((a == "-u" || a == "--username") && i + 1 < args.size()) {
      user = args[++i];
    } else if (a == "--password-stdin") {
      password_stdin = true;
    } else if (!a.starts_with("-") && registry_arg.empty()) {
      registry_arg = a;
    } else {
      std::fputs(kUsage, stderr);
      return fail(ExitCode::kUsage, "lmp login: unexpected argument '" + std::string(a) + "'");
    }
  }
  std::string registry = registry::registry_of_config_key(
      registry_arg.empty() ? registry::kDefaultRegistry : registry_arg);
  if (user.empty()) user = LMP_TRY(prompt("Username for " + registry, false));
  if (user.empty()) return fail(ExitCode::kUsage, "lmp login: empty user name");
  std::string password;
  if (password_stdin) {
    std::getline(std::cin, password);
    if (!password.empty() && password.back() == '\r') password.pop_back();
  } else {
    password = LMP_TRY(prompt("Password", true));
  }
  if (password.empty()) return fail(ExitCode::kUsage, "lmp login: empty password");

  registry::Credentials credentials{user, password};
  auto transport = registry::make_curl_transport();
  registry::OciClient client(*transport, registry, credentials);
  auto checked = client.check_login();
  if (!checked) {
    Error e = checked.error();
    if (e.code == ExitCode::kPermission)
      return fail(ExitCode::kPermission,
                  "login to " + registry + " failed: wrong user name or password",
                  "nothing was stored");
    return std::unexpected(std::move(e).context("login to " + registry));
  }
  auto home = LMP_TRY(registry::lmp_home());
  LMP_CHECK(registry::store_credentials(home, registry, credentials));
  log::info("login succeeded; credentials for " + registry + " stored in " +
            registry::credentials_path(home).string());
  return 0;
}

}  // namespace lmp::cli
