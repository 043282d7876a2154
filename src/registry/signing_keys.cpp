#include "registry/signing_keys.h"

#include <algorithm>
#include <map>

#include "common/file.h"

namespace lmp::registry {
namespace {

namespace fs = std::filesystem;

}  // namespace

fs::path keys_dir(const fs::path& home) {
  return home / "keys";
}

Result<std::vector<LocalKey>> list_keys(const fs::path& dir) {
  std::map<std::string, LocalKey> found;
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return std::vector<LocalKey>();
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    fs::path file = entry.path();
    std::string ext = file.extension().string();
    if ((ext != ".pub" && ext != ".key") || !entry.is_regular_file(ec)) continue;
    std::string name = file.stem().string();
    LocalKey& key = found[name];
    key.name = name;
    if (ext == ".key") key.has_secret = true;
  }
  if (ec) return fail(ExitCode::kFailure, "cannot list " + dir.string() + ": " + ec.message());
  std::vector<LocalKey> keys;
  for (auto& [name, key] : found) {
    // The public half, from NAME.pub or else from the secret key (which checks its mode).
    KeyPair pair = LMP_TRY(
        read_key((dir / name).string() + (fs::exists(dir / (name + ".pub"), ec) ? ".pub" : ".key"),
                 dir, false));
    key.public_key = pair.public_key;
    key.fingerprint = key_fingerprint(pair.public_key);
    keys.push_back(std::move(key));
  }
  return keys;
}

Result<KeyPair> choose_signing_key(const std::string& wanted, const fs::path& dir) {
  if (!wanted.empty()) return read_key(wanted, dir, /*need_secret=*/true);
  std::vector<std::string> secret;
  for (const LocalKey& key : LMP_TRY(list_keys(dir)))
    if (key.has_secret) secret.push_back(key.name);
  if (secret.empty())
    return fail(ExitCode::kNotFound, "no signing key in " + dir.string(),
                "make one with lmp key generate, or pass --key PATH");
  if (secret.size() > 1) {
    std::string names;
    for (const auto& name : secret) names += (names.empty() ? "" : ", ") + name;
    return fail(ExitCode::kUsage, "several signing keys (" + names + "): which one?",
                "pass --key NAME");
  }
  return read_key(secret.front(), dir, /*need_secret=*/true);
}

Result<TrustedKey> key_to_trust(const std::string& what, const fs::path& dir) {
  TrustedKey trusted;
  std::error_code ec;
  if (is_fingerprint(what)) {
    for (const LocalKey& key : LMP_TRY(list_keys(dir)))
      if (key.fingerprint == what) {
        trusted.public_key = key.public_key;
        trusted.name = key.name;
      }
    if (trusted.public_key.empty())
      return fail(ExitCode::kNotFound,
                  "no local key has the fingerprint " + what +
                      ", and a fingerprint alone cannot verify a signature",
                  "pass the signer's public key file (lmp key export NAME > NAME.pub)");
  } else if (fs::is_regular_file(what, ec)) {
    std::string text = LMP_TRY(read_file(what, 4096));
    auto key = parse_public_key(text);
    if (!key) return fail(ExitCode::kUsage, what + ": " + key.error().message, key.error().hint);
    trusted.public_key = *key;
    // The label: the key file's own name field, else the file's stem.
    std::string line = text.substr(0, text.find('\n'));
    std::size_t second = line.find(' ', line.find(' ') + 1);
    trusted.name =
        second == std::string::npos ? fs::path(what).stem().string() : line.substr(second + 1);
  } else if (what.find('/') == std::string::npos && fs::exists(dir / (what + ".pub"), ec)) {
    KeyPair pair = LMP_TRY(read_key(what, dir, false));
    trusted.public_key = pair.public_key;
    trusted.name = pair.name;
  } else {
    return fail(ExitCode::kNotFound, "'" + what + "' is no key file, local key or fingerprint",
                "pass a public key file (lmp key export NAME > NAME.pub), a name lmp key list "
                "shows, or its fingerprint");
  }
  trusted.fingerprint = key_fingerprint(trusted.public_key);
  return trusted;
}

bool add_trusted_key(TrustPolicy& policy, const TrustedKey& key) {
  for (const TrustedKey& k : policy.keys)
    if (k.fingerprint == key.fingerprint && k.for_names == key.for_names) return false;
  policy.keys.push_back(key);
  return true;
}

std::size_t remove_trusted_keys(TrustPolicy& policy, const std::string& what) {
  return std::erase_if(policy.keys, [&](const TrustedKey& k) {
    return k.fingerprint == what || (!k.name.empty() && k.name == what);
  });
}

Result<bool> revoke_key(TrustPolicy& policy, const std::string& fingerprint, bool undo) {
  if (!is_fingerprint(fingerprint))
    return fail(ExitCode::kUsage, "'" + fingerprint + "' is not a key fingerprint",
                "a fingerprint reads ed25519: and 32 hex digits (lmp trust list shows them)");
  auto it = std::find(policy.revoked.begin(), policy.revoked.end(), fingerprint);
  if (undo) {
    if (it == policy.revoked.end()) return false;
    policy.revoked.erase(it);
    return true;
  }
  if (it != policy.revoked.end()) return false;
  policy.revoked.push_back(fingerprint);
  return true;
}

}  // namespace lmp::registry
