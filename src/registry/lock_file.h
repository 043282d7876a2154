// lmp.lock: the resolved dependency graph of a package, written beside its config.json by
// `lmp lock` and `lmp build`, so the same versions, from the same sources, with the same
// bytes are used again (docs/dependencies.md).
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/result.h"
#include "package/config.h"

namespace lmp::registry {

inline constexpr int kLockVersion = 1;
inline constexpr const char* kLockFileName = "lmp.lock";

// Where a locked package came from.
enum class SourceKind { kRepository, kUrl, kOci, kGit };
std::string_view to_string(SourceKind kind);  // "repository", "url", "oci", "git"

struct LockedPackage {
  std::string name;
  std::string version;  // empty when the source names none (a URL or image without config.json)
  SourceKind kind = SourceKind::kRepository;
  std::string source;  // the repository's base URL, the URL, the OCI reference or GIT#TAG[:PATH]
  std::string file;                      // the main file: app.wasm, package.json or package.yaml
  std::string sha256;                    // of `file`
  std::vector<std::string> required_by;  // names of the packages that depend on it, sorted

  bool operator==(const LockedPackage&) const = default;
};

struct LockFile {
  std::string root;  // the name of the package the lock belongs to
  // The root's "dependencies" as config.json writes them (package::to_json): the lock is
  // used only while they are unchanged.
  nlohmann::json dependencies = nlohmann::json::object();
  std::vector<LockedPackage> packages;  // sorted by name

  const LockedPackage* find(std::string_view name) const;
  bool operator==(const LockFile&) const = default;
};

// Parses lmp.lock text. Every field is checked; an error is kBadPackage and names the file
// and the field ("lmp.lock: packages[0].sha256: expected 64 lowercase hex digits").
Result<LockFile> parse_lock(std::string_view text, const std::string& label = kLockFileName);
// Pretty JSON, keys in a fixed order, ending with a newline.
std::string write_lock(const LockFile& lock);

// DIR/lmp.lock; nullopt when there is none.
Result<std::optional<LockFile>> read_lock_file(const std::filesystem::path& dir);
// Writes DIR/lmp.lock atomically (temp file + rename): a reader sees the old or the new one.
Result<void> write_lock_file(const std::filesystem::path& dir, const LockFile& lock);

// True when `lock` was written for `root`'s current name and dependencies.
bool lock_matches(const LockFile& lock, const package::Config& root);

}  // namespace lmp::registry
