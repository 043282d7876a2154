#include "registry/signing.h"

#include <sodium.h>
#include <sys/stat.h>

#include <nlohmann/json.hpp>

#include "common/file.h"
#include "registry/digest.h"
#include "registry/oci_auth.h"

namespace lmp::registry {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr std::size_t kMaxSignatureBytes = 64 * 1024;

Result<void> init_sodium() {
  if (sodium_init() < 0) return fail(ExitCode::kFailure, "libsodium could not be initialised");
  return {};
}

// The bytes a signature covers: the manifest as compact JSON with sorted keys, prefixed so a
// signature made for something else never verifies as a package's.
std::string signed_bytes(const SignedManifest& m) {
  json files = json::object();
  for (const auto& [name, digest] : m.files) files[name] = digest;
  json doc = {{"name", m.name}, {"version", m.version}, {"files", files}};
  return "lmp-package-signature-v1\n" + doc.dump();
}

bool valid_key_name(const std::string& name) {
  if (name.empty() || name.size() > 64) return false;
  for (char c : name)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_' && c != '.')
      return false;
  return name.front() != '.';
}

std::string mode_name(VerifyMode mode) {
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

}  // namespace

std::string key_fingerprint(const std::string& public_key) {
  return "ed25519:" + sha256_hex(public_key).substr(0, 32);
}

Result<KeyPair> generate_key(const std::string& name) {
  LMP_CHECK(init_sodium());
  if (!valid_key_name(name))
    return fail(ExitCode::kUsage, "'" + name + "' is not a key name",
                "use letters, digits, '-', '_' and '.'");
  KeyPair key;
  key.name = name;
  key.public_key.resize(crypto_sign_PUBLICKEYBYTES);
  key.secret_key.resize(crypto_sign_SECRETKEYBYTES);
  crypto_sign_keypair(reinterpret_cast<unsigned char*>(key.public_key.data()),
                      reinterpret_cast<unsigned char*>(key.secret_key.data()));
  return key;
}

std::string public_key_text(const KeyPair& key) {
  return "ed25519 " + base64_encode(key.public_key) + " " + key.name + "\n";
}

Result<void> write_key_pair(const KeyPair& key, const fs::path& dir) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return fail(ExitCode::kFailure, "cannot create " + dir.string() + ": " + ec.message());
  ::chmod(dir.c_str(), 0700);
  fs::path secret = dir / (key.name + ".key");
  if (fs::exists(secret, ec))
    return fail(ExitCode::kConflict, "a key named " + key.name + " exists: " + secret.string(),
                "choose another name, or remove it first");
  LMP_CHECK(write_file_atomic(secret, base64_encode(key.secret_key) + "\n", 0600));
  LMP_CHECK(write_file_atomic(dir / (key.name + ".pub"), public_key_text(key), 0644));
  return {};
}

Result<std::string> parse_public_key(const std::string& text) {
  std::string line = text.substr(0, text.find('\n'));
  std::size_t space = line.find(' ');
  if (space == std::string::npos || line.substr(0, space) != "ed25519")
    return fail(ExitCode::kUsage, "not an lmp public key (expected 'ed25519 BASE64 NAME')",
                "export one with lmp key export NAME");
  std::string encoded = line.substr(space + 1);
  encoded = encoded.substr(0, encoded.find(' '));
  auto bytes = base64_decode(encoded);
  if (!bytes || bytes->size() != crypto_sign_PUBLICKEYBYTES)
    return fail(ExitCode::kUsage, "malformed ed25519 public key",
                "export it again with lmp key export NAME");
  return *bytes;
}

Result<KeyPair> read_key(const std::string& name_or_path, const fs::path& dir, bool need_secret) {
  LMP_CHECK(init_sodium());
  fs::path base;
  if (name_or_path.find('/') != std::string::npos || name_or_path.ends_with(".key") ||
      name_or_path.ends_with(".pub")) {
    base = fs::path(name_or_path);
    if (base.extension() == ".key" || base.extension() == ".pub") base.replace_extension();
  } else {
    if (!valid_key_name(name_or_path))
      return fail(ExitCode::kUsage, "'" + name_or_path + "' is not a key name or a key file");
    base = dir / name_or_path;
  }
  KeyPair key;
  key.name = base.filename().string();
  fs::path pub = base;
  pub += ".pub";
  fs::path secret = base;
  secret += ".key";
  std::error_code ec;
  if (need_secret || !fs::exists(pub, ec)) {
    struct stat st {};
    if (::stat(secret.c_str(), &st) != 0)
      return fail(ExitCode::kNotFound, "no key " + name_or_path + " (" + secret.string() + ")",
                  "lmp key list shows the keys; lmp key generate NAME makes one");
    if ((st.st_mode & 077) != 0)
      return fail(ExitCode::kPermission,
                  secret.string() + " is readable by others (mode " +
                      std::to_string((st.st_mode >> 6) & 7) +
                      std::to_string((st.st_mode >> 3) & 7) + std::to_string(st.st_mode & 7) + ")",
                  "chmod 600 " + secret.string());
    std::string text = LMP_TRY(read_file(secret, 4096));
    auto bytes = base64_decode(text.substr(0, text.find('\n')));
    if (!bytes || bytes->size() != crypto_sign_SECRETKEYBYTES)
      return fail(ExitCode::kBadPackage, secret.string() + " is not an lmp secret key");
    key.secret_key = *bytes;
    key.public_key = key.secret_key.substr(crypto_sign_SECRETKEYBYTES - crypto_sign_PUBLICKEYBYTES);
    return key;
  }
  key.public_key = LMP_TRY(parse_public_key(LMP_TRY(read_file(pub, 4096))));
  return key;
}

Result<SignedManifest> manifest_of(const fs::path& dir) {
  SignedManifest m;
  std::error_code ec;
  for (const char* name : kSignedFiles) {
    fs::path file = dir / name;
    if (!fs::is_regular_file(file, ec)) continue;
    m.files[name] = sha256_hex(LMP_TRY(read_file(file, std::size_t{512} << 20)));
  }
  if (m.files.empty())
    return fail(ExitCode::kBadPackage, dir.string() + " holds no package to sign",
                "a package directory has package.json (and app.wasm, config.json)");
  if (m.files.contains("config.json")) {
    json config = json::parse(LMP_TRY(read_file(dir / "config.json")), nullptr, false);
    if (config.is_object()) {
      if (config.contains("name") && config["name"].is_string()) m.name = config["name"];
      if (config.contains("version") && config["version"].is_string())
        m.version = config["version"];
    }
  }
  if (m.name.empty() && m.files.contains("package.json")) {
    json pkg = json::parse(LMP_TRY(read_file(dir / "package.json", std::size_t{512} << 20)),
                           nullptr, false);
    if (pkg.is_object()) {
      const json skel = pkg.value("meta", json::object()).value("bpf_skel", json::object());
      if (skel.contains("obj_name") && skel["obj_name"].is_string()) m.name = skel["obj_name"];
      json doc = skel.value("doc", json::object());
      if (m.version.empty() && doc.is_object() && doc.contains("version") &&
          doc["version"].is_string())
        m.version = doc["version"];
    }
  }
  if (m.name.empty()) m.name = fs::absolute(dir).filename().string();
  return m;
}

Result<fs::path> sign_package(const fs::path& dir, const KeyPair& key) {
  LMP_CHECK(init_sodium());
  if (key.secret_key.size() != crypto_sign_SECRETKEYBYTES)
    return fail(ExitCode::kUsage, "key " + key.name + " has no secret key to sign with");
  SignedManifest m = LMP_TRY(manifest_of(dir));
  std::string bytes = signed_bytes(m);
  unsigned char signature[crypto_sign_BYTES];
  crypto_sign_detached(signature, nullptr, reinterpret_cast<const unsigned char*>(bytes.data()),
                       bytes.size(), reinterpret_cast<const unsigned char*>(key.secret_key.data()));
  json doc = {{"format", "lmp-signature-v1"},
              {"name", m.name},
              {"version", m.version},
              {"files", m.files},
              {"key", key_fingerprint(key.public_key)},
              {"key_name", key.name},
              {"public_key", base64_encode(key.public_key)},
              {"signature", base64_encode(std::string_view(reinterpret_cast<char*>(signature),
                                                           sizeof signature))}};
  fs::path out = dir / kSignatureFile;
  LMP_CHECK(write_file_atomic(out, doc.dump(2) + "\n"));
  return out;
}

Result<std::optional<Signature>> verify_package(const fs::path& dir) {
  LMP_CHECK(init_sodium());
  fs::path file = dir / kSignatureFile;
  std::error_code ec;
  if (!fs::exists(file, ec)) return std::optional<Signature>();
  auto bad = [&](const std::string& what) {
    return fail(ExitCode::kBadPackage, file.string() + ": " + what,
                "the package was changed after it was signed, or the signature is damaged: get "
                "it again from its source");
  };
  std::string text = LMP_TRY(read_file(file, kMaxSignatureBytes));
  json doc = json::parse(text, nullptr, false);
  if (!doc.is_object()) return bad("not a signature (truncated or not JSON)");
  if (doc.value("format", "") != "lmp-signature-v1")
    return bad("unknown signature format '" + doc.value("format", "") + "'");
  for (const char* key : {"name", "version", "key", "public_key", "signature"})
    if (!doc.contains(key) || !doc[key].is_string()) return bad(std::string("no \"") + key + "\"");
  if (!doc.contains("files") || !doc["files"].is_object()) return bad("no \"files\"");
  Signature sig;
  sig.manifest.name = doc["name"];
  sig.manifest.version = doc["version"];
  for (const auto& [name, digest] : doc["files"].items()) {
    if (!digest.is_string() || !is_sha256_hex(digest.get<std::string>()))
      return bad("bad digest for " + name);
    sig.manifest.files[name] = digest;
  }
  auto public_key = base64_decode(doc["public_key"].get<std::string>());
  auto signature = base64_decode(doc["signature"].get<std::string>());
  if (!public_key || public_key->size() != crypto_sign_PUBLICKEYBYTES)
    return bad("malformed public key");
  if (!signature || signature->size() != crypto_sign_BYTES) return bad("malformed signature");
  sig.public_key = *public_key;
  sig.fingerprint = key_fingerprint(sig.public_key);
  if (doc["key"] != sig.fingerprint) return bad("the key id does not match the public key");
  std::string bytes = signed_bytes(sig.manifest);
  if (crypto_sign_verify_detached(reinterpret_cast<const unsigned char*>(signature->data()),
                                  reinterpret_cast<const unsigned char*>(bytes.data()),
                                  bytes.size(),
                                  reinterpret_cast<const unsigned char*>(public_key->data())) != 0)
    return bad("the signature does not verify (" + sig.fingerprint + ")");
  // The signed manifest against the directory as it is.
  SignedManifest now = LMP_TRY(manifest_of(dir));
  for (const auto& [name, digest] : now.files) {
    auto it = sig.manifest.files.find(name);
    if (it == sig.manifest.files.end()) return bad(name + " was added after signing");
    if (it->second != digest) return bad(name + " was changed after signing");
  }
  for (const auto& [name, digest] : sig.manifest.files)
    if (!now.files.contains(name)) return bad(name + " is signed but missing");
  if (now.name != sig.manifest.name)
    return bad("signed for " + sig.manifest.name + ", not " + now.name);
  if (now.version != sig.manifest.version)
    return bad("signed for version " + sig.manifest.version + ", not " + now.version);
  return std::optional<Signature>(std::move(sig));
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
    for (const json& k : doc["keys"]) {
      if (!k.is_object() || !k.contains("public_key") || !k["public_key"].is_string())
        return bad("each of \"keys\" needs a \"public_key\"");
      auto bytes = base64_decode(k["public_key"].get<std::string>());
      if (!bytes || bytes->size() != crypto_sign_PUBLICKEYBYTES)
        return bad("a malformed \"public_key\"");
      TrustedKey key;
      key.public_key = *bytes;
      key.fingerprint = key_fingerprint(key.public_key);
      if (k.contains("name") && k["name"].is_string()) key.name = k["name"];
      if (k.contains("for")) {
        if (!k["for"].is_string()) return bad("a key's \"for\" must be a name pattern");
        key.for_names = k["for"];
      }
      policy.keys.push_back(std::move(key));
    }
  }
  if (doc.contains("revoked")) {
    if (!doc["revoked"].is_array()) return bad("\"revoked\" must be an array of key ids");
    for (const json& r : doc["revoked"]) {
      if (!r.is_string()) return bad("\"revoked\" must be an array of key ids");
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
  for (const auto& [pattern, mode] : policy.per_name) packages[pattern] = mode_name(mode);
  json doc = {{"verify", mode_name(policy.verify)},
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
    return refuse("it is not signed", "lmp sign DIR signs a package; --verify=off runs it anyway");
  const std::string& id = signature->fingerprint;
  for (const std::string& revoked : policy.revoked)
    if (revoked == id)  // in every mode but off: the key is known to be bad
      return fail(ExitCode::kPermission,
                  "refused to run " + name + ": it is signed by a revoked key " + id,
                  "the package must be signed again by a key that is not revoked");
  for (const TrustedKey& key : policy.keys)
    if (key.fingerprint == id && name_matches(key.for_names, name)) return std::string();
  return refuse("it is signed by " + id + ", a key this machine does not trust",
                "lmp trust add KEYFILE trusts it");
}

}  // namespace lmp::registry
