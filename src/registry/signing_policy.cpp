// The trust-policy half of registry/signing.h: verify modes, $LMP_HOME/trust.json, and the decision
// whether a package may run (check_trust).
#include <sodium.h>

#include <nlohmann/json.hpp>

#include "common/file.h"
#include "registry/oci_auth.h"
#include "registry/signing.h"

namespace lmp::registry {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

}  // namespace

std::string verify_mode_name(VerifyMode mode) {
  switch (mode) {
    case VerifyMode::kOff:
      return "off";
    case VerifyMode::kWarn:
      return "warn";
    case VerifyMode::kRequire:
      return "require";
  }
  return "warn";
}

Result<VerifyMode> parse_verify_mode(std::string_view text) {
  if (text == "off") return VerifyMode::kOff;
  if (text == "warn") return VerifyMode::kWarn;
  if (text == "require") return VerifyMode::kRequire;
  return fail(ExitCode::kUsage, "'" + std::string(text) + "' is not a verify mode",
              "use off, warn or require");
}

bool name_matches(std::string_view pattern, std::string_view name) {
  // '*' matches any run of characters; everything else itself.
  std::size_t p = 0, n = 0, star = std::string_view::npos, mark = 0;
  while (n < name.size()) {
    if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      mark = n;
    } else if (p < pattern.size() && pattern[p] == name[n]) {
      ++p;
      ++n;
    } else if (star != std::string_view::npos) {
      p = star + 1;
      n = ++mark;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

Result<TrustPolicy> read_trust_policy(const fs::path& home) {
  TrustPolicy policy;
  fs::path file = home / "trust.json";
  std::error_code ec;
  if (!fs::exists(file, ec)) return policy;
  auto bad = [&](const std::string& what) {
    return fail(ExitCode::kUsage, file.string() + ": " + what,
                "fix it, or remove it for the defaults (verify: warn, no trusted keys)");
  };
  json doc = json::parse(LMP_TRY(read_file(file, 1 << 20)), nullptr, false);
  if (!doc.is_object()) return bad("not a JSON object");
  if (doc.contains("verify")) {
    if (!doc["verify"].is_string()) return bad("\"verify\" must be off, warn or require");
    auto mode = parse_verify_mode(doc["verify"].get<std::string>());
    if (!mode) return bad("\"verify\" must be off, warn or require");
    policy.verify = *mode;
  }
  if (doc.contains("keys")) {
    if (!doc["keys"].is_array()) return bad("\"keys\" must be an array");
    for (std::size_t i = 0; i < doc["keys"].size(); ++i) {
      const json& k = doc["keys"][i];
      std::string at = "\"keys\"[" + std::to_string(i) + "]";
      if (!k.is_object() || !k.contains("public_key") || !k["public_key"].is_string())
        return bad(at + " needs a \"public_key\"");
      auto bytes = base64_decode(k["public_key"].get<std::string>());
      if (!bytes || bytes->size() != crypto_sign_PUBLICKEYBYTES)
        return bad(at + ".public_key is not an ed25519 public key");
      TrustedKey key;
      key.public_key = *bytes;
      key.fingerprint = key_fingerprint(key.public_key);
      if (k.contains("name") && k["name"].is_string()) key.name = k["name"];
      if (k.contains("for")) {
        if (!k["for"].is_string()) return bad(at + ".for must be a name pattern");
        key.for_names = k["for"];
      }
      policy.keys.push_back(std::move(key));
    }
  }
  if (doc.contains("revoked")) {
    if (!doc["revoked"].is_array()) return bad("\"revoked\" must be an array of key ids");
    for (const json& r : doc["revoked"]) {
      if (!r.is_string() || !is_fingerprint(r.get<std::string>()))
        return bad("\"revoked\" must hold key fingerprints (ed25519:HEX)");
      policy.revoked.push_back(r);
    }
  }
  if (doc.contains("packages")) {
    if (!doc["packages"].is_object()) return bad("\"packages\" must map name patterns to modes");
    for (const auto& [pattern, mode] : doc["packages"].items()) {
      if (!mode.is_string() || !parse_verify_mode(mode.get<std::string>()))
        return bad("\"packages\"." + pattern + " must be off, warn or require");
      policy.per_name[pattern] = *parse_verify_mode(mode.get<std::string>());
    }
  }
  return policy;
}

Result<void> write_trust_policy(const fs::path& home, const TrustPolicy& policy) {
  json keys = json::array();
  for (const auto& k : policy.keys)
    keys.push_back({{"name", k.name},
                    {"key", k.fingerprint},
                    {"public_key", base64_encode(k.public_key)},
                    {"for", k.for_names}});
  json packages = json::object();
  for (const auto& [pattern, mode] : policy.per_name) packages[pattern] = verify_mode_name(mode);
  json doc = {{"verify", verify_mode_name(policy.verify)},
              {"keys", keys},
              {"revoked", policy.revoked},
              {"packages", packages}};
  std::error_code ec;
  fs::create_directories(home, ec);
  return write_file_atomic(home / "trust.json", doc.dump(2) + "\n", 0644);
}

Result<std::string> check_trust(const fs::path& dir, const std::string& name,
                                const TrustPolicy& policy,
                                std::optional<VerifyMode> override_mode) {
  VerifyMode mode = policy.verify;
  for (const auto& [pattern, m] : policy.per_name)
    if (name_matches(pattern, name)) mode = m;
  if (override_mode) mode = *override_mode;
  if (mode == VerifyMode::kOff) return std::string();
  // A signature that does not verify is an error in every mode but off: the files are not
  // what was signed.
  auto signature = LMP_TRY(verify_package(dir));
  auto refuse = [&](const std::string& why, const std::string& hint) -> Result<std::string> {
    if (mode == VerifyMode::kRequire)
      return fail(ExitCode::kPermission, "refused to run " + name + ": " + why, hint);
    return std::string(name + ": " + why + " (" + hint + ")");
  };
  if (!signature)
    return refuse("it is not signed", mode == VerifyMode::kRequire
                                          ? "lmp sign DIR signs a package; --verify=off runs it "
                                            "anyway"
                                          : "running it anyway; --verify=require refuses it");
  const std::string& id = signature->fingerprint;
  for (const std::string& revoked : policy.revoked)
    if (revoked == id)  // in every mode but off: the key is known to be bad
      return fail(ExitCode::kPermission,
                  "refused to run " + name + ": it is signed by a revoked key " + id,
                  "the package must be signed again by a key that is not revoked");
  for (const TrustedKey& key : policy.keys)
    if (key.fingerprint == id && name_matches(key.for_names, name)) return std::string();
  return refuse("it is signed by " + id + ", a key this machine does not trust",
                mode == VerifyMode::kRequire
                    ? "lmp trust add KEYFILE trusts it"
                    : "running it anyway; lmp trust add KEYFILE trusts it");
}

}  // namespace lmp::registry
