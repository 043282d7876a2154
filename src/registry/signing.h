// Signed packages (docs/signing.md): ed25519 keys (libsodium), a detached signature file
// `lmp.sig` beside a package covering a manifest of its files' sha256 digests with its name
// and version, and the trust policy (`$LMP_HOME/trust.json`) that decides what a run
// accepts. Verification needs no network.
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/result.h"

namespace lmp::registry {

inline constexpr const char* kSignatureFile = "lmp.sig";

// The files a signature covers, when present in the package directory.
inline constexpr const char* kSignedFiles[] = {"package.json", "app.wasm", "config.json"};

struct KeyPair {
  std::string name;
  std::string public_key;  // 32 bytes
  std::string secret_key;  // 64 bytes (libsodium's seed + public key)
};

// The key id people compare: "ed25519:" and the first 16 bytes of the public key's sha256, hex.
std::string key_fingerprint(const std::string& public_key);
// True for text shaped like a key_fingerprint ("ed25519:" and 32 lower-case hex digits).
bool is_fingerprint(std::string_view text);

// Key files: NAME.pub holds "ed25519 BASE64 NAME\n"; NAME.key the secret key in base64,
// mode 0600. `dir` is $LMP_HOME/keys by default.
Result<KeyPair> generate_key(const std::string& name);
Result<void> write_key_pair(const KeyPair& key, const std::filesystem::path& dir);
// A key by name in `dir`, or by the path of its .key or .pub file. A secret key file that is
// readable by others is refused (kPermission), as ssh refuses one.
Result<KeyPair> read_key(const std::string& name_or_path, const std::filesystem::path& dir,
                         bool need_secret);
// Parses a public key file's text ("ed25519 BASE64 [NAME]"). kUsage when malformed.
Result<std::string> parse_public_key(const std::string& text);
std::string public_key_text(const KeyPair& key);

// What a signature states and covers.
struct SignedManifest {
  std::string name;
  std::string version;
  std::map<std::string, std::string> files;  // file name -> sha256 hex
};

// The manifest of the package directory `dir` (name and version from config.json when it has
// one, else package.json's obj_name and doc.version). kBadPackage when nothing is signable.
Result<SignedManifest> manifest_of(const std::filesystem::path& dir);
// Only the name and version manifest_of() would give (no digests; nothing hashed).
SignedManifest identity_of(const std::filesystem::path& dir);

// Writes DIR/lmp.sig (atomically) signed by `key`.
Result<std::filesystem::path> sign_package(const std::filesystem::path& dir, const KeyPair& key);

struct Signature {
  SignedManifest manifest;
  std::string public_key;
  std::string fingerprint;
};

// Reads DIR/lmp.sig and checks it: a valid signature by the key it names over exactly the
// files the directory holds, with matching digests, name and version. nullopt when there is
// no signature file. Errors (kBadPackage) say which check failed: "lmp.sig: package.json was
// changed after signing", "... signed for version 1.0.0, not 1.1.0", truncated or malformed.
Result<std::optional<Signature>> verify_package(const std::filesystem::path& dir);

// The trust policy: verify mode, trusted keys (optionally only for names matching a pattern
// with '*'), revoked fingerprints, per-name modes.
enum class VerifyMode { kOff, kWarn, kRequire };
Result<VerifyMode> parse_verify_mode(std::string_view text);
// "off", "warn" or "require".
std::string verify_mode_name(VerifyMode mode);

struct TrustedKey {
  std::string fingerprint;
  std::string public_key;
  std::string name;             // a label (the key's name)
  std::string for_names = "*";  // a name pattern: '*' matches any run of characters
};

struct TrustPolicy {
  VerifyMode verify = VerifyMode::kWarn;
  std::vector<TrustedKey> keys;
  std::vector<std::string> revoked;            // fingerprints
  std::map<std::string, VerifyMode> per_name;  // name pattern -> mode
};

// $LMP_HOME/trust.json; the defaults when it does not exist. kUsage naming the field when
// malformed.
Result<TrustPolicy> read_trust_policy(const std::filesystem::path& home);
Result<void> write_trust_policy(const std::filesystem::path& home, const TrustPolicy& policy);

bool name_matches(std::string_view pattern, std::string_view name);

// Decides whether the package in `dir` named `name` may run under `policy` (whose verify
// mode `override_mode` replaces, from --verify or LMP_VERIFY). Returns a warning to print
// (empty when none). Errors: kBadPackage for a signature that does not verify (tampered,
// truncated, for another version) and kPermission for a revoked key, in every mode but off;
// kPermission ("refused to run ...") when the mode is require and the package is unsigned or
// signed by an untrusted key (warn: the same text is the warning).
Result<std::string> check_trust(const std::filesystem::path& dir, const std::string& name,
                                const TrustPolicy& policy, std::optional<VerifyMode> override_mode);

}  // namespace lmp::registry
