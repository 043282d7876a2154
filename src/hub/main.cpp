// lmp-hub: serve the hub, and administer its data directory (docs/hub.md, "Commands").
#include <CLI/CLI.hpp>

#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <string>

#include "common/log.h"
#include "hub/accounts.h"
#include "hub/blob_store.h"
#include "hub/import.h"
#include "hub/server.h"
#include "hub/sqlite_storage.h"
#include "hub/terminal.h"
#include "registry/http_client.h"

namespace {

using lmp::ExitCode;
using lmp::fail;
using lmp::Result;
namespace hub = lmp::hub;

std::string default_data_dir() {
  const char* env = std::getenv("LMP_HUB_DATA");
  return env && *env ? env : "hub-data";
}

Result<std::unique_ptr<hub::SqliteStorage>> open_storage(const std::string& data_dir) {
  std::error_code ec;
  std::filesystem::create_directories(data_dir, ec);
  if (ec) return fail(ExitCode::kFailure, "cannot create " + data_dir + ": " + ec.message());
  return hub::SqliteStorage::open(std::filesystem::path(data_dir) / "hub.db");
}

// The new password: one line of stdin, or asked twice on the terminal.
Result<std::string> read_new_password(bool from_stdin) {
  if (from_stdin) {
    std::string password;
    std::getline(std::cin, password);
    if (!password.empty() && password.back() == '\r') password.pop_back();
    return password;
  }
  std::string first = LMP_TRY(hub::ask_terminal("Password", true));
  std::string second = LMP_TRY(hub::ask_terminal("Password again", true));
  if (first != second) return fail(ExitCode::kUsage, "the passwords differ", "nothing was changed");
  return first;
}

// "NAME:VERSION"
Result<std::pair<std::string, std::string>> split_reference(const std::string& text) {
  std::size_t colon = text.find(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == text.size())
    return fail(ExitCode::kUsage, "'" + text + "' is not NAME:VERSION", "e.g. opensnoop:1.0.0");
  return std::pair{text.substr(0, colon), text.substr(colon + 1)};
}

struct Options {
  std::string data = default_data_dir();
  bool verbose = false;
  hub::ServeSettings serve;
  std::string registration = "open";
  int token_days = static_cast<int>(hub::kLoginTokenLifetime.count());
  std::string name;
  std::string email;
  bool admin = false;
  bool password_stdin = false;
  std::string token_name = "lmp-hub token create";
  std::string source;
  std::string owner;
  std::string reference;
};

Result<int> run_serve(Options& o) {
  if (o.registration != "open" && o.registration != "closed")
    return fail(ExitCode::kUsage, "--registration: '" + o.registration + "' is not open or closed");
  o.serve.data_dir = o.data;
  o.serve.registration_open = o.registration == "open";
  o.serve.login_token_lifetime = std::chrono::days(o.token_days);
  return hub::serve(o.serve);
}

Result<int> run_user_add(Options& o) {
  auto storage = LMP_TRY(open_storage(o.data));
  hub::Accounts accounts(*storage);
  std::string password = LMP_TRY(read_new_password(o.password_stdin));
  hub::User user = LMP_TRY(accounts.register_user(o.name, o.email, password, o.admin));
  lmp::log::info("created " + std::string(user.admin ? "admin " : "user ") + user.name);
  return 0;
}

Result<int> run_user_passwd(Options& o) {
  auto storage = LMP_TRY(open_storage(o.data));
  hub::Accounts accounts(*storage);
  std::string password = LMP_TRY(read_new_password(o.password_stdin));
  LMP_CHECK(accounts.set_password(o.name, password));
  lmp::log::info("password of " + o.name + " changed");
  return 0;
}

Result<int> run_user_list(Options& o) {
  auto storage = LMP_TRY(open_storage(o.data));
  for (const hub::User& user : LMP_TRY(storage->list_users()))
    std::printf("%s\t%s\t%s\n", user.name.c_str(), user.admin ? "admin" : "user",
                user.email.c_str());
  return 0;
}

Result<int> run_token_create(Options& o) {
  auto storage = LMP_TRY(open_storage(o.data));
  hub::Accounts accounts(*storage);
  auto found = LMP_TRY(storage->find_user(o.name));
  if (!found) return fail(ExitCode::kNotFound, "no user '" + o.name + "'", "see lmp-hub user list");
  hub::IssuedToken token = LMP_TRY(accounts.create_token(found->user, o.token_name));
  std::printf("%s\n", token.secret.c_str());
  return 0;
}

Result<int> run_import(Options& o) {
  auto storage = LMP_TRY(open_storage(o.data));
  hub::BlobStore blobs = LMP_TRY(hub::BlobStore::open(o.data));
  hub::User owner = LMP_TRY(hub::import_owner(*storage, o.owner));
  auto http = lmp::registry::make_curl_client();
  hub::ImportSummary summary =
      LMP_TRY(hub::import_repository(*storage, blobs, owner, o.source, *http));
  std::printf("imported %d versions of %d packages (%d skipped)\n", summary.versions,
              summary.packages, summary.skipped);
  return 0;
}

Result<int> run_yank(Options& o, bool yanked) {
  auto [name, version] = LMP_TRY(split_reference(o.reference));
  auto storage = LMP_TRY(open_storage(o.data));
  LMP_CHECK(storage->set_yanked(name, version, yanked));
  lmp::log::info(std::string(yanked ? "yanked " : "unyanked ") + name + " " + version);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"lmp-hub: the package hub of lmp (static repository, JSON API, web store)",
               "lmp-hub"};
  app.set_version_flag("--version", std::string("lmp-hub ") + LMP_HUB_VERSION);
  app.require_subcommand(1);
  app.fallthrough();  // inherited: --data and -v are accepted after the subcommand too
  Options o;
  app.add_option("--data", o.data, "the data directory (default ./hub-data, or LMP_HUB_DATA)")
      ->capture_default_str();
  app.add_flag("-v,--verbose", o.verbose, "debug output, including every request");
  Result<int> (*action)(Options&) = nullptr;

  CLI::App* serve = app.add_subcommand("serve", "serve the repository, the API and the store");
  serve->add_option("--listen", o.serve.listen, "HOST:PORT (port 0 picks a free one)")
      ->capture_default_str();
  serve->add_option("--public-url", o.serve.public_url,
                    "base URL for links (default http://LISTEN)");
  serve->add_option("--registration", o.registration, "open|closed: sign-ups through the API/store")
      ->capture_default_str();
  serve
      ->add_option("--token-days", o.token_days,
                   "days a token made by a password login lives (0: until revoked)")
      ->check(CLI::Range(0, 3660))
      ->capture_default_str();
  serve->callback([&] { action = run_serve; });

  CLI::App* user = app.add_subcommand("user", "manage accounts")->require_subcommand(1);
  CLI::App* add = user->add_subcommand("add", "create an account");
  add->add_option("name", o.name, "the user name")->required();
  add->add_flag("--admin", o.admin, "may yank and manage any package");
  add->add_option("--email", o.email, "contact address");
  add->add_flag("--password-stdin", o.password_stdin, "read the password from stdin");
  add->callback([&] { action = run_user_add; });
  CLI::App* passwd = user->add_subcommand("passwd", "set a new password");
  passwd->add_option("name", o.name, "the user name")->required();
  passwd->add_flag("--password-stdin", o.password_stdin, "read the password from stdin");
  passwd->callback([&] { action = run_user_passwd; });
  user->add_subcommand("list", "list accounts (name, role, email)")->callback([&] {
    action = run_user_list;
  });

  CLI::App* token = app.add_subcommand("token", "API tokens")->require_subcommand(1);
  CLI::App* create = token->add_subcommand("create", "print a new API token for USER");
  create->add_option("user", o.name, "the token's user")->required();
  create->add_option("--name", o.token_name, "what the token is for")->capture_default_str();
  create->callback([&] { action = run_token_create; });

  CLI::App* import_command = app.add_subcommand("import", "load a static repository into the hub");
  import_command->add_option("source", o.source, "REPO_DIR or http(s)/file URL")->required();
  import_command->add_option("--owner", o.owner,
                             "owner of the imported packages (default: first admin)");
  import_command->callback([&] { action = run_import; });

  CLI::App* yank =
      app.add_subcommand("yank", "yank NAME:VERSION (it stays downloadable by version)");
  yank->add_option("reference", o.reference, "NAME:VERSION")->required();
  yank->callback([&] { action = [](Options& opts) { return run_yank(opts, true); }; });
  CLI::App* unyank = app.add_subcommand("unyank", "undo a yank");
  unyank->add_option("reference", o.reference, "NAME:VERSION")->required();
  unyank->callback([&] { action = [](Options& opts) { return run_yank(opts, false); }; });

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) return app.exit(e);
    std::fprintf(stderr, "lmp-hub: error: %s (see lmp-hub --help)\n", e.what());
    return static_cast<int>(ExitCode::kUsage);
  }
  if (o.verbose) lmp::log::set_level(lmp::log::Level::kDebug);
  Result<int> result = action(o);
  if (!result) {
    const lmp::Error& e = result.error();
    std::fprintf(stderr, "lmp-hub: error: %s%s\n", e.message.c_str(),
                 e.hint.empty() ? "" : (" (" + e.hint + ")").c_str());
    return static_cast<int>(e.code);
  }
  return *result;
}
