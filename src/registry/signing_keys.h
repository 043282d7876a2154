// What `lmp key`, `lmp sign` and `lmp trust` share (docs/signing.md): the local keys in
// $LMP_HOME/keys, choosing the key to sign with, and the edits of the trust policy.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "common/result.h"
#include "registry/signing.h"

namespace lmp::registry {

// The key name `lmp key generate` uses when none is given.
inline constexpr const char* kDefaultKeyName = "default";

struct LocalKey {
  std::string name;
  std::string fingerprint;
  std::string public_key;
  bool has_secret = false;  // NAME.key exists beside NAME.pub
};

// $LMP_HOME/keys.
std::filesystem::path keys_dir(const std::filesystem::path& home);

// The keys in `dir` (every NAME.pub, and NAME.key without one), sorted by name. A missing
// directory has none.
Result<std::vector<LocalKey>> list_keys(const std::filesystem::path& dir);

// The key `lmp sign` and `lmp build --sign` use: `wanted` (a name in `dir` or a key file's
// path) when given, else the only secret key in `dir`. kUsage when there are several and
// none is named; kNotFound when there is none.
Result<KeyPair> choose_signing_key(const std::string& wanted, const std::filesystem::path& dir);

// The key `lmp trust add WHAT` means: a public key file's path, a local key's name, or a
// fingerprint of a local key (a fingerprint alone cannot verify: without a local key of that
// fingerprint it is an error saying what to pass instead).
Result<TrustedKey> key_to_trust(const std::string& what, const std::filesystem::path& dir);

// Adds `key` (for its name pattern) to `policy`; false when it was trusted already.
bool add_trusted_key(TrustPolicy& policy, const TrustedKey& key);

// Removes the trusted keys whose fingerprint or name is `what`; returns how many.
std::size_t remove_trusted_keys(TrustPolicy& policy, const std::string& what);

// Revokes (or, with `undo`, restores) the key `fingerprint`; false when nothing changed.
// kUsage when `fingerprint` is not one.
Result<bool> revoke_key(TrustPolicy& policy, const std::string& fingerprint, bool undo);

}  // namespace lmp::registry
