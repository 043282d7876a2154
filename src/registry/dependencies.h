// Dependency resolution (docs/dependencies.md): from a root package's config.json, walk the
// graph of "dependencies", pick for each package the highest version that satisfies every
// range on it, fetch each into local storage and read its own config.json. Cycles and
// conflicts are errors that name who wants what. The sources are behind DependencySource
// (the repositories and the cache in lmp, a fake in the tests).
#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "package/config.h"
#include "registry/lock_file.h"

namespace lmp::registry {

// One package of a resolved graph, present on this machine.
struct DependencyPackage {
  std::string name;
  std::string version;  // empty when its source names none (a URL or image without config.json)
  SourceKind kind = SourceKind::kRepository;
  std::string source;               // as lmp.lock records it (LockedPackage::source)
  std::filesystem::path main_file;  // app.wasm, else package.json, else package.yaml
  std::string sha256;               // of main_file
  std::map<std::string, package::Dependency> dependencies;  // from its config.json, if any
  std::vector<std::string> required_by;  // the packages that depend on it, sorted
};

// Where the resolver finds packages.
class DependencySource {
 public:
  virtual ~DependencySource() = default;
  // The versions of `name` the repositories offer (for a dependency without url or oci).
  virtual Result<std::vector<std::string>> versions(const std::string& name) = 0;
  // Fetches `name` at exactly `version` (for a url or oci dependency "": what it holds) from
  // where `dep` points; with `locked`, from the locked source instead. The caller checks
  // the sha256.
  virtual Result<DependencyPackage> fetch(const std::string& name, const std::string& version,
                                          const package::Dependency& dep,
                                          const LockedPackage* locked) = 0;
};

struct Resolution {
  // Every package below the root, each after the packages it depends on (the root is not
  // among them).
  std::vector<DependencyPackage> packages;

  const DependencyPackage* find(std::string_view name) const;
};

// Resolves the graph below `root`. A `lock` that lock_matches() `root` pins every package
// it lists to its version and source, and a package whose main file's sha256 differs from
// the locked one is an error naming it. Errors: kBadPackage for a bad range
// ("opensnoop: config.json: dependencies.sigsnoop: ..."), a cycle ("dependency cycle:
// a -> b -> a"), a conflict ("sigsnoop: no version satisfies every range: opensnoop wants
// ^1.0, execsnoop wants ^2.0") and a sha256 mismatch; kNotFound when no version satisfies a
// single range; the source's errors as they are.
Result<Resolution> resolve_dependencies(const package::Config& root, DependencySource& source,
                                        const LockFile* lock = nullptr);

// The lock for `root` and its resolution.
LockFile make_lock(const package::Config& root, const Resolution& resolution);

// The tree under `root`, two spaces per level, one line per edge:
// "sigsnoop ^0.1 -> 0.1.2" (a package met again is printed once more without its subtree).
std::string render_dependency_tree(const package::Config& root, const Resolution& resolution);

}  // namespace lmp::registry
