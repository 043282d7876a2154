#include "registry/signing.h"

#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <optional>

#include <nlohmann/json.hpp>

#include "common/file.h"
#include "common/unique_fd.h"
#include "registry/digest.h"
#include "registry/oci_auth.h"

namespace lmp::registry {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr std::size_t kMaxSignatureBytes = 64 * 1024;

Result<void> init_sodium_signing() {
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

}  // namespace

bool is_fingerprint(std::string_view text) {
  if (!text.starts_with("ed25519:") || text.size() != 8 + 32) return false;
  return std::all_of(text.begin() + 8, text.end(),
                     [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

std::string key_fingerprint(const std::string& public_key) {
  return "ed25519:" + sha256_hex(public_key).substr(0, 32);
}

Result<KeyPair> generate_key(const std::string& name) {
  LMP_CHECK(init_sodium_signing());
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
  LMP_CHECK(init_sodium_signing());
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

namespace {

// Fills m.name and m.version from the files' bytes: config.json's name and version, else the
// object's obj_name and doc.version, else the directory's name.
void fill_identity(SignedManifest& m, const fs::path& dir, const std::string* config,
                   const std::string* package) {
  if (config) {
    json doc = json::parse(*config, nullptr, false);
    if (doc.is_object()) {
      if (doc.contains("name") && doc["name"].is_string()) m.name = doc["name"];
      if (doc.contains("version") && doc["version"].is_string()) m.version = doc["version"];
    }
  }
  if (m.name.empty() && package) {
    json doc = json::parse(*package, nullptr, false);
    if (doc.is_object()) {
      const json skel = doc.value("meta", json::object()).value("bpf_skel", json::object());
      if (skel.contains("obj_name") && skel["obj_name"].is_string()) m.name = skel["obj_name"];
      json about = skel.value("doc", json::object());
      if (m.version.empty() && about.is_object() && about.contains("version") &&
          about["version"].is_string())
        m.version = about["version"];
    }
  }
  if (m.name.empty()) m.name = fs::absolute(dir).filename().string();
}

constexpr std::size_t kMaxSignedFileBytes = std::size_t{512} << 20;

// True when config.json's bytes name the package (so package.json need not be parsed).
bool names_package(const std::string* config) {
  if (!config) return false;
  json doc = json::parse(*config, nullptr, false);
  return doc.is_object() && doc.contains("name") && doc["name"].is_string() &&
         !doc["name"].get<std::string>().empty();
}

// The sha256 of a signed file (digest.h's Sha256: the CPU's SHA extensions when it has them),
// read through 16 KiB on the stack, whose pages are already mapped: a page fault costs ~15 us
// in this VM, and the fresh 64 KiB buffer used before faulted 16 times; mapping the file was
// slower still (bench/verify.sh). `keep` receives the bytes when given.
Result<std::string> file_sha256_hex(const fs::path& file, std::string* keep) {
  UniqueFd fd(::open(file.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0)
    return fail(ExitCode::kFailure, "cannot open " + file.string() + ": " + std::strerror(errno));
  Sha256 hash;
  char buffer[16 * 1024];
  std::size_t total = 0;
  for (;;) {
    ssize_t n = ::read(fd.get(), buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0)
      return fail(ExitCode::kFailure, "cannot read " + file.string() + ": " + std::strerror(errno));
    if (n == 0) break;
    total += static_cast<std::size_t>(n);
    if (total > kMaxSignedFileBytes)
      return fail(ExitCode::kBadPackage, file.string() + " is larger than 512 MiB");
    hash.update(std::string_view(buffer, static_cast<std::size_t>(n)));
    if (keep) keep->append(buffer, static_cast<std::size_t>(n));
  }
  return hash.finish();
}

}  // namespace

// Hashing and verifying need no sodium_init(): ed25519 verification, its SHA-512 and base64
// are deterministic code with one implementation each; sodium_init() picks implementations of
// other primitives and seeds the random generator, which only key generation uses (and
// costs ~85 us a run here, bench/verify.sh).
Result<SignedManifest> manifest_of(const fs::path& dir) {
  SignedManifest m;
  std::error_code ec;
  // config.json is kept (its name and version are parsed from the very bytes hashed); the
  // object's package.json only when config.json names nothing (read once more then).
  std::string config;
  for (const char* name : kSignedFiles) {
    fs::path file = dir / name;
    if (!fs::is_regular_file(file, ec)) continue;
    bool is_config = std::string_view(name) == "config.json";
    m.files[name] = LMP_TRY(file_sha256_hex(file, is_config ? &config : nullptr));
  }
  if (m.files.empty())
    return fail(ExitCode::kBadPackage, dir.string() + " holds no package to sign",
                "a package directory has package.json (and app.wasm, config.json)");
  const std::string* config_bytes = m.files.contains("config.json") ? &config : nullptr;
  std::optional<std::string> package;
  if (!names_package(config_bytes) && m.files.contains("package.json"))
    package = LMP_TRY(read_file(dir / "package.json", kMaxSignedFileBytes));
  fill_identity(m, dir, config_bytes, package ? &*package : nullptr);
  return m;
}

SignedManifest identity_of(const fs::path& dir) {
  SignedManifest m;
  auto config = read_file(dir / "config.json", 1 << 20);
  std::optional<std::string> package;
  if (!names_package(config ? &*config : nullptr))
    if (auto text = read_file(dir / "package.json", kMaxSignedFileBytes)) package = *text;
  fill_identity(m, dir, config ? &*config : nullptr, package ? &*package : nullptr);
  return m;
}

Result<fs::path> sign_package(const fs::path& dir, const KeyPair& key) {
  LMP_CHECK(init_sodium_signing());
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
  fs::path file = dir / kSignatureFile;
  std::error_code ec;
  if (!fs::exists(file, ec)) return std::optional<Signature>();
  std::string signer;  // the key the file names, once it is known
  auto bad = [&](const std::string& what) {
    return fail(ExitCode::kBadPackage,
                file.string() + ": " + what + (signer.empty() ? "" : " (signed by " + signer + ")"),
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
  if (is_fingerprint(doc["key"].get<std::string>())) signer = doc["key"];
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
    return bad("the signature does not verify");
  // The signed manifest against the directory as it is: another name or version first (the
  // most telling reason when config.json differs), then each file.
  SignedManifest now = LMP_TRY(manifest_of(dir));
  if (now.name != sig.manifest.name)
    return bad("signed for " + sig.manifest.name + ", not " + now.name);
  if (now.version != sig.manifest.version)
    return bad("signed for version " + sig.manifest.version + ", not " + now.version);
  for (const auto& [name, digest] : now.files) {
    auto it = sig.manifest.files.find(name);
    if (it == sig.manifest.files.end()) return bad(name + " was added after signing");
    if (it->second != digest) return bad(name + " was changed after signing");
  }
  for (const auto& [name, digest] : sig.manifest.files)
    if (!now.files.contains(name)) return bad(name + " is signed but missing");
  return std::optional<Signature>(std::move(sig));
}

}  // namespace lmp::registry
