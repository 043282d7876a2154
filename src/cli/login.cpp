// lmp login [HUB_URL | REGISTRY] [-u USER] [--password-stdin]: with an http(s) URL, log in to
// an lmp hub and store its API token; else check credentials against an OCI registry's /v2/
// endpoint and store them. Both go to LMP_HOME/credentials.json (mode 0600).
#include <fcntl.h>
#include <termios.h>
#include <unistd.h>
#include <CLI/CLI.hpp>

#include <iostream>
#include <string>

#include "cli/command.h"
#include "common/log.h"
#include "common/text_escape.h"
#include "registry/cache.h"
#include "registry/credentials.h"
#include "registry/hub_client.h"
#include "registry/oci_client.h"

namespace lmp::cli {
namespace {

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

// The user name (-u, else asked) and the password (stdin or asked) for `where`.
Result<registry::Credentials> ask_credentials(const std::string& where, std::string user,
                                              bool password_stdin) {
  if (user.empty()) user = LMP_TRY(prompt("Username for " + where, false));
  if (user.empty()) return fail(ExitCode::kUsage, "lmp login: empty user name");
  std::string password;
  if (password_stdin) {
    std::getline(std::cin, password);
    if (!password.empty() && password.back() == '\r') password.pop_back();
  } else {
    password = LMP_TRY(prompt("Password", true));
  }
  if (password.empty()) return fail(ExitCode::kUsage, "lmp login: empty password");
  return registry::Credentials{user, password};
}

std::string host_name() {
  char name[256] = {};
  if (::gethostname(name, sizeof name - 1) != 0 || !*name) return "this machine";
  return name;
}

Result<int> login_hub(const std::string& url_arg, const std::string& user, bool password_stdin) {
  std::string url = registry::normalize_hub_url(url_arg);
  auto transport = registry::make_curl_transport();
  registry::HubClient hub(*transport, url);
  LMP_TRY(hub.info());
  registry::Credentials credentials = LMP_TRY(ask_credentials(url, user, password_stdin));
  registry::HubLogin login =
      LMP_TRY(hub.login(credentials.username, credentials.password, "lmp on " + host_name()));
  auto home = LMP_TRY(registry::lmp_home());
  auto previous = LMP_TRY(registry::find_hub_token(home, url));
  LMP_CHECK(registry::store_hub_token(home, url, {login.user, login.token}));
  if (previous && previous->token != login.token) {
    // The token this login replaces would otherwise stay valid on the hub, unused.
    auto revoked = registry::HubClient(*transport, url, previous->token).logout();
    if (!revoked) log::debug("revoking the previous token: " + revoked.error().message);
  }
  log::info("logged in to " + url + " as " + escape_text(login.user) + "; token stored in " +
            registry::credentials_path(home).string());
  return 0;
}

Result<int> login_registry(const std::string& registry_arg, const std::string& user,
                           bool password_stdin) {
  std::string registry = registry::registry_of_config_key(
      registry_arg.empty() ? registry::kDefaultRegistry : registry_arg);
  registry::Credentials credentials = LMP_TRY(ask_credentials(registry, user, password_stdin));
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

}  // namespace

Result<int> login_command(Args args) {
  CLI::App app{
      "Log in to an lmp hub (HUB_URL: http:// or https://) and store an API token for\n"
      "publish and yank; or check credentials against an OCI registry (REGISTRY: HOST[:PORT],\n"
      "default ghcr.io) and store them for push and pull. Both go to\n"
      "LMP_HOME/credentials.json (mode 0600); a hub's password is never stored. Without\n"
      "--password-stdin the password is read from the terminal.",
      "lmp login"};
  std::string target, user;
  bool password_stdin = false;
  app.add_option("target", target, "HUB_URL or REGISTRY (default: ghcr.io)");
  app.add_option("-u,--username", user, "user name (asked when missing)");
  app.add_flag("--password-stdin", password_stdin, "read the password from stdin");
  try {
    app.parse(static_cast<int>(args.size()), args.data());
  } catch (const CLI::ParseError& e) {
    return parse_error(app, e);
  }
  if (registry::is_hub_url(target)) return login_hub(target, user, password_stdin);
  return login_registry(target, user, password_stdin);
}

}  // namespace lmp::cli
