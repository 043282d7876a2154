// index.json of a static repository: every package, version and file with sha256 and size.
// The schema is documented in docs/repositories.md.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace lmp::registry {

inline constexpr int kIndexSchemaVersion = 1;

struct FileEntry {
  std::string name;  // "package.json", "app.wasm", "README.md", "config.json"
  std::string sha256;
  std::uint64_t size = 0;

  bool operator==(const FileEntry&) const = default;
};

struct VersionEntry {
  std::string version;  // semver
  std::string description;
  std::string summary;  // README front matter `summary:`, else empty
  std::string author;
  std::string license;
  std::string category;
  std::vector<std::string> tags;
  std::vector<FileEntry> files;  // sorted by name
  // A yanked version stays downloadable as NAME:VERSION but NAME never resolves to it.
  bool yanked = false;

  const FileEntry* file(std::string_view name) const;
  std::uint64_t total_size() const;
  bool operator==(const VersionEntry&) const = default;
};

struct PackageEntry {
  std::string name;
  std::map<std::string, VersionEntry> versions;  // by version text

  // The version NAME resolves to: the highest release (or prerelease when there is none)
  // among the versions that are not yanked.
  const VersionEntry* latest() const;
  // Exact version; empty `version` or "latest" means latest(); another tag ("1", "v1",
  // "2.0") the highest version it names that is not yanked (version_tag.h). Null when absent.
  const VersionEntry* find(std::string_view version) const;
  // Versions, highest first.
  std::vector<std::string> sorted_versions() const;
  bool operator==(const PackageEntry&) const = default;
};

struct Index {
  std::map<std::string, PackageEntry> packages;

  const PackageEntry* find(std::string_view name) const;
  bool operator==(const Index&) const = default;
};

// Parses and validates index.json: package names follow the hub's name rule, versions are
// semver, file names are plain names (no '/', not starting with '.'), digests are 64 hex
// digits. Unknown keys are ignored. Errors are kBadPackage naming the JSON path.
Result<Index> parse_index(std::string_view text);

// Pretty JSON, keys sorted, each package with a "latest" field for readers.
std::string write_index(const Index& index);

// A safe file name for the repository layout and the cache.
bool is_plain_file_name(std::string_view name);

}  // namespace lmp::registry
