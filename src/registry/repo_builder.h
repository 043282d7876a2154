// `lmp repo build SRC OUT`: turns a directory of built packages into a static repository.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "common/result.h"

namespace lmp::registry {

// The files a published package may carry, in the repository and the cache.
inline constexpr const char* kPackageFiles[] = {"package.json", "app.wasm", "README.md",
                                                "config.json", "lmp.sig"};

struct BuiltVersion {
  std::string name;
  std::string version;
};

// Every directory among SRC and its subdirectories that holds package.json or app.wasm is
// a package; its config.json (name, version, ...) is required. Writes
// OUT/NAME/VERSION/{files}, OUT/NAME/{files} for the highest version of each name, and
// OUT/index.json last (atomically). An existing OUT/index.json is kept and extended; a
// version built again is replaced. Returns the versions written, sorted. Unless `force`, a
// directory whose app.wasm does not embed its package.json's eBPF object is refused
// (registry/stale_wasm.h) before anything is written.
Result<std::vector<BuiltVersion>> build_repository(const std::filesystem::path& src,
                                                   const std::filesystem::path& out,
                                                   bool force = false);

// The `summary:` of a README's front matter (between leading "---" lines), or empty.
std::string readme_summary(std::string_view readme);

}  // namespace lmp::registry
