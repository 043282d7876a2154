// What a user may name on the command line: a local path, a URL, NAME[:VERSION], or an OCI
// image reference. The forms and their resolution order are documented in docs/references.md.
#pragma once

#include <filesystem>
#include <functional>
#include <string>
#include <string_view>

#include "common/result.h"

namespace lmp::registry {

enum class ReferenceKind { kLocalPath, kUrl, kName, kOci };

// host[:port]/path/name[:tag][@sha256:HEX]
struct OciReference {
  std::string registry;    // "ghcr.io", "localhost:5000"
  std::string repository;  // "org/tool"
  std::string tag;         // "1.0.0"; "latest" when neither tag nor digest is given
  std::string digest;      // "sha256:..." or empty
};

struct Reference {
  ReferenceKind kind = ReferenceKind::kName;
  std::string text;            // as the user wrote it
  std::filesystem::path path;  // kLocalPath
  std::string url;             // kUrl
  std::string name;            // kName; for kOci the last path component
  // kName: the tag after ':', empty for "latest" (the highest). A semver names that
  // version; "1", "v1", "2.0" name the newest matching release (version_tag.h).
  std::string version;
  OciReference oci;  // kOci
};

// Answers "does this path exist?"; a seam so tests and the fuzzer need no file system.
using PathExists = std::function<bool(const std::filesystem::path&)>;
bool path_exists_on_disk(const std::filesystem::path& path);

// Classifies and validates `text`. A path is written as one (./x, ../x, /x, a/b) or ends
// like a file (.json, .yaml, .yml, .wasm, .bpf.o); a bare NAME is always a name, even when
// `exists` says a file of that name is here: then a note (log::info) says how to name the
// path. Errors are kUsage with a hint naming the accepted forms.
Result<Reference> parse_reference(std::string_view text,
                                  const PathExists& exists = path_exists_on_disk);

// Canonical text: the path, the URL, "name" or "name:version", "host/repo:tag[@digest]".
std::string to_string(const Reference& ref);

// ^[a-z0-9][a-z0-9._-]{0,63}$, the package name rule of the hub.
bool is_package_name(std::string_view name);

}  // namespace lmp::registry
