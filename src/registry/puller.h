// Turns a Reference into files on this machine: resolves names across the configured
// repositories, downloads, verifies and caches. The entry point `lmp run` uses.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "common/result.h"
#include "registry/cache.h"
#include "registry/http_client.h"
#include "registry/reference.h"
#include "registry/static_repository.h"

namespace lmp::registry {

// When `lmp run` downloads: always, only when not cached (the default), or never.
enum class PullPolicy { kAlways, kMissing, kNever };

// Parses "always" | "missing" | "never" (kUsage otherwise).
Result<PullPolicy> parse_pull_policy(std::string_view text);

// What a pull did: the cached package, and whether the cache already held exactly what
// the source has (nothing was downloaded or replaced then, except for a URL, whose bytes
// must be fetched to be compared).
struct PullOutcome {
  CachedPackage package;
  bool up_to_date = false;
};

class Puller {
 public:
  // `repositories` are base URLs searched in order (see configured_repositories()).
  Puller(Cache cache, std::unique_ptr<HttpClient> http, std::vector<std::string> repositories);

  // Downloads `ref` (a name, name:version, URL or OCI reference) into the cache, replacing
  // an older copy. Every file of an indexed repository is checked against its size (the
  // download stops past it) and sha256 before anything is stored; a file nobody lists (a
  // URL, a legacy repository) is limited to max_download_bytes() and must be a package that
  // parses or a WebAssembly module. A signature (lmp.sig) the source lists is stored with the
  // package when it has the form of one (it is verified when the package runs); a damaged one
  // fails the pull. Local paths are refused (nothing to pull).
  Result<CachedPackage> pull(const Reference& ref);
  // pull(), saying whether the cached copy was already current: always asks the source
  // (index, manifest or URL), as docker pull does, and keeps an identical cached copy.
  Result<PullOutcome> update(const Reference& ref);

  // The file to run for `ref`: a local path as given (a directory means its app.wasm or
  // package.json), or the main file of the cached package, pulled first per `policy`. A
  // cached package is checked first (Cache::verify: sizes, sha256, permissions).
  Result<std::filesystem::path> resolve_to_local(const Reference& ref, PullPolicy policy);

  Cache& cache() { return cache_; }
  std::vector<StaticRepository>& repositories() { return repositories_; }

 private:
  Result<PullOutcome> pull_name(const std::string& name, const std::string& version);
  Result<PullOutcome> download(const ResolvedPackage& package, bool from_url);
  Result<PullOutcome> download_probe(const ResolvedPackage& package);
  Result<PullOutcome> pull_url(const std::string& url);
  // The cached copy in the slot `package` would take, when it is intact.
  std::optional<CachedPackage> cached_copy(const ResolvedPackage& package, bool from_url);

  Cache cache_;
  std::unique_ptr<HttpClient> http_;
  std::vector<StaticRepository> repositories_;
};

// A Puller for this process: the cache at lmp_home(), libcurl, configured_repositories().
Result<Puller> make_puller();

// Convenience for `lmp run`: make_puller() then resolve_to_local(). Returns the path of
// app.wasm when the package has one, else package.json (both in the same directory).
Result<std::filesystem::path> resolve_to_local(const Reference& ref,
                                               PullPolicy policy = PullPolicy::kMissing);

}  // namespace lmp::registry
