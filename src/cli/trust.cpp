// lmp trust add|list|rm|verify|revoke: the trust policy in $LMP_HOME/trust.json that decides
// which signed packages lmp run accepts (docs/signing.md).
#include <CLI/CLI.hpp>

#include <cstdio>
#include <string>

#include <nlohmann/json.hpp>

#include "cli/command.h"
#include "common/log.h"
#include "common/text_escape.h"
#include "registry/cache.h"
#include "registry/signing.h"
#include "registry/signing_keys.h"
#include "registry/signing_run.h"

namespace lmp::cli {
namespace {

namespace fs = std::filesystem;

Result<int> add(const fs::path& home, const std::string& what, const std::string& pattern) {
  registry::TrustPolicy policy = LMP_TRY(registry::read_trust_policy(home));
  registry::TrustedKey key = LMP_TRY(registry::key_to_trust(what, registry::keys_dir(home)));
  key.for_names = pattern;
  std::string which =
      key.fingerprint + (key.name.empty() ? "" : " (" + escape_text(key.name) + ")");
  if (!registry::add_trusted_key(policy, key)) {
    log::info(which + " is trusted for " + escape_text(pattern) + " already");
    return 0;
  }
  LMP_CHECK(registry::write_trust_policy(home, policy));
  for (const auto& revoked : policy.revoked)
    if (revoked == key.fingerprint)
      log::warn(key.fingerprint + " is revoked: packages it signed are refused all the same " +
                "(lmp trust revoke --undo " + key.fingerprint + ")");
  log::info("trusting " + which + " for " + escape_text(pattern));
  return 0;
}

Result<int> list_trusted_keys(const fs::path& home, bool json) {
  registry::TrustPolicy policy = LMP_TRY(registry::read_trust_policy(home));
  auto catalog = registry::bundled_catalog_key();
  if (json) {
    nlohmann::json keys = nlohmann::json::array();
    for (const auto& k : policy.keys)
      keys.push_back({{"fingerprint", k.fingerprint}, {"name", k.name}, {"for", k.for_names}});
    nlohmann::json packages = nlohmann::json::object();
    for (const auto& [pattern, mode] : policy.per_name)
      packages[pattern] = registry::verify_mode_name(mode);
    nlohmann::json out = {
        {"verify", registry::verify_mode_name(policy.verify)},
        {"packages", packages},
        {"keys", keys},
        {"revoked", policy.revoked},
        {"catalog_key",
         catalog ? nlohmann::json(registry::key_fingerprint(*catalog)) : nlohmann::json(nullptr)}};
    std::printf("%s\n", out.dump(2).c_str());
    return 0;
  }
  std::printf("verify: %s\n", registry::verify_mode_name(policy.verify).c_str());
  for (const auto& [pattern, mode] : policy.per_name)
    std::printf("verify %s: %s\n", escape_text(pattern).c_str(),
                registry::verify_mode_name(mode).c_str());
  std::printf("%-41s %-20s %s\n", "FINGERPRINT", "NAME", "FOR");
  if (catalog)
    std::printf("%-41s %-20s %s\n", registry::key_fingerprint(*catalog).c_str(),
                "(bundled catalog)", "packages from the bundled catalog");
  for (const auto& k : policy.keys) {
    bool revoked = false;
    for (const auto& r : policy.revoked) revoked = revoked || r == k.fingerprint;
    std::printf("%-41s %-20s %s%s\n", k.fingerprint.c_str(), escape_text(k.name).c_str(),
                escape_text(k.for_names).c_str(), revoked ? " (revoked)" : "");
  }
  for (const auto& r : policy.revoked) std::printf("revoked: %s\n", escape_text(r).c_str());
  return 0;
}

Result<int> remove(const fs::path& home, const std::string& what) {
  registry::TrustPolicy policy = LMP_TRY(registry::read_trust_policy(home));
  std::size_t removed = registry::remove_trusted_keys(policy, what);
  if (removed == 0)
    return fail(ExitCode::kNotFound, "no trusted key is " + escape_text(what),
                "lmp trust list shows the fingerprints and names");
  LMP_CHECK(registry::write_trust_policy(home, policy));
  log::info("no longer trusting " + escape_text(what) +
            (removed > 1 ? " (" + std::to_string(removed) + " rules)" : ""));
  return 0;
}

Result<int> set_mode(const fs::path& home, const std::string& mode_text,
                     const std::string& pattern) {
  registry::TrustPolicy policy = LMP_TRY(registry::read_trust_policy(home));
  if (mode_text == "default") {
    if (pattern.empty())
      return fail(ExitCode::kUsage, "'default' removes a rule given with --for PATTERN",
                  "lmp trust verify default --for PATTERN");
    if (policy.per_name.erase(pattern) == 0)
      return fail(ExitCode::kNotFound, "no verify rule for " + escape_text(pattern));
  } else {
    registry::VerifyMode mode = LMP_TRY(registry::parse_verify_mode(mode_text));
    if (pattern.empty())
      policy.verify = mode;
    else
      policy.per_name[pattern] = mode;
  }
  LMP_CHECK(registry::write_trust_policy(home, policy));
  log::info(pattern.empty() ? "verify: " + mode_text
                            : "verify " + escape_text(pattern) + ": " + mode_text);
  return 0;
}

Result<int> revoke(const fs::path& home, const std::string& fingerprint, bool undo) {
  registry::TrustPolicy policy = LMP_TRY(registry::read_trust_policy(home));
  bool changed = LMP_TRY(registry::revoke_key(policy, fingerprint, undo));
  if (changed) LMP_CHECK(registry::write_trust_policy(home, policy));
  log::info(fingerprint + (undo ? (changed ? " is no longer revoked" : " was not revoked")
                                : (changed ? " is revoked: packages it signed are refused"
                                           : " was revoked already")));
  return 0;
}

}  // namespace

Result<int> trust_command(Args args) {
  CLI::App app{
      "Decide which signed packages lmp run accepts ($LMP_HOME/trust.json, "
      "docs/signing.md)",
      "lmp trust"};
  app.require_subcommand(1);
  std::string what, pattern = "*", mode, verify_for, fingerprint;
  bool json = false, undo = false;
  CLI::App* add_app =
      app.add_subcommand("add", "trust a key: KEYFILE, LOCAL-KEY-NAME or FINGERPRINT");
  add_app->add_option("KEY", what, "a public key file, a local key's name or its fingerprint")
      ->required();
  add_app->add_option("--for", pattern, "only for package names matching PATTERN ('*' any run)");
  CLI::App* list_app = app.add_subcommand("list", "show the policy and the trusted keys");
  list_app->add_flag("--json", json, "one JSON object");
  CLI::App* rm_app = app.add_subcommand("rm", "stop trusting a key: FINGERPRINT or NAME");
  std::string rm_what;
  rm_app->add_option("KEY", rm_what, "the fingerprint or name lmp trust list shows")->required();
  CLI::App* verify_app =
      app.add_subcommand("verify", "set the mode: off | warn (the default) | require");
  verify_app->add_option("MODE", mode, "off, warn, require; default removes a --for rule")
      ->required();
  verify_app->add_option("--for", verify_for, "only for package names matching PATTERN");
  verify_app->footer("lmp run --verify=MODE or LMP_VERIFY=MODE override the mode for one run.");
  CLI::App* revoke_app = app.add_subcommand("revoke", "refuse every package a key signed");
  revoke_app->add_option("FINGERPRINT", fingerprint, "the key's fingerprint")->required();
  revoke_app->add_flag("--undo", undo, "take a revocation back");
  try {
    app.parse(static_cast<int>(args.size()), args.data());
  } catch (const CLI::ParseError& e) {
    return parse_error(app, e);
  }
  fs::path home = LMP_TRY(registry::lmp_home());
  if (add_app->parsed()) return add(home, what, pattern);
  if (list_app->parsed()) return list_trusted_keys(home, json);
  if (rm_app->parsed()) return remove(home, rm_what);
  if (verify_app->parsed()) return set_mode(home, mode, verify_for);
  return revoke(home, fingerprint, undo);
}

}  // namespace lmp::cli
