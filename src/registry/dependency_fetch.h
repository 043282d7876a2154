// Dependency resolution against the real sources: the configured repositories, URLs, OCI
// registries and the cache (docs/dependencies.md). `lmp lock`, `lmp pull`, `lmp info` and
// `lmp build` use it; `lmp run` of a suite calls resolve_and_fetch().
#pragma once

#include <filesystem>
#include <vector>

#include "common/result.h"
#include "package/config.h"
#include "registry/dependencies.h"
#include "registry/puller.h"

namespace lmp::registry {

struct FetchOptions {
  // Ask the sources again (as `lmp pull` does) instead of taking an intact cached copy of
  // an exact version first. A package pinned by a lock is taken from the cache whenever
  // the cached copy's sha256 is the locked one.
  bool refresh = false;
  // Use DIR/lmp.lock when it matches config.json; false resolves afresh (`lmp lock`).
  bool use_lock = true;
};

// The configured repositories and the cache as a DependencySource. Version lists come from
// the first repository whose index lists the name, else (offline, or a package no
// repository lists any more) from the versions in the cache.
class CachingSource : public DependencySource {
 public:
  CachingSource(Puller& puller, FetchOptions options) : puller_(puller), options_(options) {}
  Result<std::vector<std::string>> versions(const std::string& name) override;
  Result<DependencyPackage> fetch(const std::string& name, const std::string& version,
                                  const package::Dependency& dep,
                                  const LockedPackage* locked) override;

 private:
  Puller& puller_;
  FetchOptions options_;
};

// A package directory's config.json, its resolved dependencies and whether lmp.lock was used.
struct DependencyGraph {
  package::Config root;
  Resolution resolution;
  bool locked = false;  // the resolution followed DIR/lmp.lock
};

// Reads DIR/config.json (kNotFound without one) and DIR/lmp.lock (see FetchOptions), and
// resolves and fetches every dependency into the cache.
Result<DependencyGraph> resolve_package_dir(const std::filesystem::path& dir, Puller& puller,
                                            const FetchOptions& options = {});

// For `lmp run` of several packages: everything the package in `dir` (a project directory
// or a cached package's directory, holding config.json) needs, fetched into the cache and
// verified, each package after the packages it depends on, the root itself last (its
// main_file empty when `dir` holds no built package yet). A package without dependencies
// gives a list of one. Uses DIR/lmp.lock when it matches; offline works when every
// package is cached. Errors as resolve_dependencies().
Result<std::vector<DependencyPackage>> resolve_and_fetch(const std::filesystem::path& dir,
                                                         const FetchOptions& options = {});

}  // namespace lmp::registry
