// Packages from a git repository at a tag (docs/dependencies.md, "git" dependencies): a
// shallow clone by the `git` command into the cache's tmp/, then the package's files in the
// named directory are stored in the cache as a package pulled from "URL#TAG[:PATH]".
#pragma once

#include <string>

#include "common/result.h"
#include "registry/cache.h"

namespace lmp::registry {

// The files taken from the package's directory in the repository, when present. One of
// app.wasm, package.json or package.yaml must be there: a repository holding only sources
// is not built here (commit the built package, as a static repository holds it).
inline constexpr const char* kGitPackageFiles[] = {"package.json", "package.yaml", "app.wasm",
                                                   "config.json",  "README.md",    "lmp.sig"};

// Clones `url` at `tag` (no prompts: GIT_TERMINAL_PROMPT=0) and records the package found in
// `path` under `name` (the version from its config.json, if any). Errors: kNotFound when git
// is not installed; kNetwork naming the repository and tag with git's last message line
// (unreachable, no such tag); kBadPackage when the directory holds no package or a file is
// larger than 64 MiB. Nothing is left in tmp/ afterwards.
Result<CachedPackage> fetch_git_package(Cache& cache, const std::string& name,
                                        const std::string& url, const std::string& tag,
                                        const std::string& path);

}  // namespace lmp::registry
