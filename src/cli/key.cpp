// lmp key generate [NAME] [--out DIR] | list [--json] | export [NAME]: the ed25519 keys that
// sign packages (docs/signing.md), kept in $LMP_HOME/keys.
#include <CLI/CLI.hpp>

#include <cstdio>
#include <string>

#include <nlohmann/json.hpp>

#include "cli/command.h"
#include "common/log.h"
#include "common/text_escape.h"
#include "registry/cache.h"
#include "registry/oci_auth.h"
#include "registry/signing.h"
#include "registry/signing_keys.h"

namespace lmp::cli {
namespace {

namespace fs = std::filesystem;

Result<int> generate(const std::string& name, const std::string& out) {
  fs::path dir = out.empty() ? registry::keys_dir(LMP_TRY(registry::lmp_home())) : fs::path(out);
  registry::KeyPair key = LMP_TRY(registry::generate_key(name));
  LMP_CHECK(registry::write_key_pair(key, dir));
  std::printf("%s %s\n", registry::key_fingerprint(key.public_key).c_str(), name.c_str());
  log::info("wrote " + (dir / (name + ".key")).string() + " (secret, mode 0600) and " +
            (dir / (name + ".pub")).string() + "; lmp key export " + name +
            " prints the public key to give to others");
  return 0;
}

Result<int> list_keys(bool json) {
  fs::path dir = registry::keys_dir(LMP_TRY(registry::lmp_home()));
  auto keys = LMP_TRY(registry::list_keys(dir));
  if (json) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& k : keys)
      out.push_back({{"name", k.name},
                     {"fingerprint", k.fingerprint},
                     {"public_key", registry::base64_encode(k.public_key)},
                     {"secret", k.has_secret}});
    std::printf("%s\n", out.dump(2).c_str());
    return 0;
  }
  if (keys.empty()) {
    log::info("no keys in " + dir.string() + " (lmp key generate makes one)");
    return 0;
  }
  std::printf("%-20s %-41s %s\n", "NAME", "FINGERPRINT", "SECRET");
  for (const auto& k : keys)
    std::printf("%-20s %-41s %s\n", escape_text(k.name).c_str(), k.fingerprint.c_str(),
                k.has_secret ? "yes" : "no");
  return 0;
}

Result<int> export_key(const std::string& name) {
  fs::path dir = registry::keys_dir(LMP_TRY(registry::lmp_home()));
  std::string wanted = name;
  if (wanted.empty()) {
    auto keys = LMP_TRY(registry::list_keys(dir));
    if (keys.size() != 1)
      return fail(keys.empty() ? ExitCode::kNotFound : ExitCode::kUsage,
                  keys.empty() ? "no keys in " + dir.string() : "several keys: which one?",
                  keys.empty() ? "make one with lmp key generate" : "lmp key export NAME");
    wanted = keys.front().name;
  }
  registry::KeyPair key = LMP_TRY(registry::read_key(wanted, dir, false));
  std::fputs(registry::public_key_text(key).c_str(), stdout);
  return 0;
}

}  // namespace

Result<int> key_command(Args args) {
  CLI::App app{"Make and show the ed25519 keys that sign packages (docs/signing.md)", "lmp key"};
  app.require_subcommand(1);
  std::string name = registry::kDefaultKeyName, out, export_name;
  bool json = false;
  CLI::App* generate_app = app.add_subcommand("generate", "make a new key pair");
  generate_app->add_option("NAME", name, "the key's name (default: default)");
  generate_app->add_option("--out", out,
                           "the directory to write NAME.key and NAME.pub into "
                           "(default: $LMP_HOME/keys)");
  generate_app->footer(
      "Writes NAME.key (the secret key, mode 0600) and NAME.pub, and prints the key's\n"
      "fingerprint. An existing key of that name is never overwritten.");
  CLI::App* list_app = app.add_subcommand("list", "list the local keys with their fingerprints");
  list_app->add_flag("--json", json, "one JSON array");
  CLI::App* export_app =
      app.add_subcommand("export", "print a key's public key file (what others trust)");
  export_app->add_option("NAME", export_name, "the key (default: the only one)");
  try {
    app.parse(static_cast<int>(args.size()), args.data());
  } catch (const CLI::ParseError& e) {
    return parse_error(app, e);
  }
  if (generate_app->parsed()) return generate(name, out);
  if (list_app->parsed()) return list_keys(json);
  return export_key(export_name);
}

}  // namespace lmp::cli
