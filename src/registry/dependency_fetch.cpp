#include "registry/dependency_fetch.h"

#include <algorithm>

#include "common/log.h"
#include "common/text_escape.h"
#include "registry/cache_reference.h"
#include "registry/digest.h"
#include "registry/git_fetch.h"
#include "registry/oci_pull.h"
#include "registry/reference.h"

namespace lmp::registry {
namespace {

namespace fs = std::filesystem;

fs::path main_file_in(const fs::path& dir) {
  std::error_code ec;
  for (const char* name : {"app.wasm", "package.json", "package.yaml"})
    if (fs::is_regular_file(dir / name, ec)) return dir / name;
  return {};
}

// "REPO/NAME/VERSION" (a repository pull's source) -> "REPO".
std::string repository_of(const CachedPackage& package) {
  std::string suffix = "/" + package.name + "/" + package.version;
  if (!package.version.empty() && package.source.ends_with(suffix))
    return package.source.substr(0, package.source.size() - suffix.size());
  return package.source;
}

Result<Reference> reference_for(SourceKind kind, const std::string& text, const std::string& name) {
  Reference ref = LMP_TRY(parse_reference(text, [](const fs::path&) { return false; }));
  ReferenceKind want = kind == SourceKind::kUrl ? ReferenceKind::kUrl : ReferenceKind::kOci;
  if (ref.kind != want)
    return fail(ExitCode::kBadPackage,
                name + ": '" + text + "' is not " +
                    (kind == SourceKind::kUrl ? "a URL" : "an OCI reference"),
                kind == SourceKind::kUrl ? "use https://HOST/PATH/package.json"
                                         : "use HOST/REPOSITORY[:TAG]");
  return ref;
}

// The recorded sha256 of the cached package's main file.
std::string main_sha256(const CachedPackage& package) {
  std::string main = package.main_file().filename().string();
  for (const auto& f : package.files)
    if (f.name == main) return f.sha256;
  return "";
}

}  // namespace

Result<std::vector<std::string>> CachingSource::versions(const std::string& name) {
  std::optional<Error> unreachable;
  for (auto& repo : puller_.repositories()) {
    auto index = repo.index();
    if (!index) {
      log::debug(index.error().message);
      if (!unreachable) unreachable = index.error();
      continue;
    }
    if (*index == nullptr) continue;  // a legacy repository lists no versions
    const PackageEntry* pkg = (*index)->find(name);
    if (pkg == nullptr) continue;
    std::vector<std::string> out;
    for (const auto& [v, entry] : pkg->versions)
      if (!entry.yanked) out.push_back(v);
    return out;
  }
  std::vector<std::string> cached;
  for (const auto& entry : LMP_TRY(puller_.cache().list()))
    if (!entry.from_url && entry.name == name && !entry.version.empty())
      cached.push_back(entry.version);
  if (!cached.empty()) {
    if (unreachable) log::warn(name + ": resolving from the cache (" + unreachable->message + ")");
    return cached;
  }
  if (unreachable) return std::unexpected(*unreachable);
  return fail(ExitCode::kNotFound, "no package '" + name + "' in the repositories or the cache",
              "set LMP_REPOSITORY, or give the dependency a url or oci source");
}

Result<DependencyPackage> CachingSource::fetch(const std::string& name, const std::string& version,
                                               const package::Dependency& dep,
                                               const LockedPackage* locked) {
  SourceKind kind = !dep.url.empty()   ? SourceKind::kUrl
                    : !dep.oci.empty() ? SourceKind::kOci
                    : !dep.git.empty() ? SourceKind::kGit
                                       : SourceKind::kRepository;
  std::string where = dep.source();
  if (locked) kind = locked->kind, where = locked->source;
  Cache& cache = puller_.cache();

  std::optional<CachedPackage> cached;
  Reference ref;
  std::string git_url, git_tag, git_path;
  if (kind == SourceKind::kGit) {
    if (!package::parse_git_source_text(where, git_url, git_tag, git_path))
      return fail(ExitCode::kBadPackage,
                  name + ": '" + escape_text(where) + "' is not a git source (URL#TAG[:PATH])");
    cached = LMP_TRY(cache.find_url(std::string(kGitSourcePrefix) + where));
  } else if (kind == SourceKind::kRepository) {
    ref.kind = ReferenceKind::kName;
    ref.name = name;
    ref.version = version;
    ref.text = name + ":" + version;
    cached = LMP_TRY(cache.find(name, version));
    if (cached && cached->version != version) cached.reset();
  } else {
    ref = LMP_TRY(reference_for(kind, where, name));
    cached = LMP_TRY(cache.find_url(kind == SourceKind::kUrl ? ref.url : oci_source(ref)));
  }
  bool pinned = locked && cached && main_sha256(*cached) == locked->sha256;
  bool use_cache = cached && (pinned || !options_.refresh) && cache.verify(*cached);
  if (!use_cache && kind == SourceKind::kGit) {
    // A tag names one commit: a cached copy is taken unless `lmp pull` asks again.
    cached = LMP_TRY(fetch_git_package(cache, name, git_url, git_tag, git_path));
    log::info("fetched " + name + (cached->version.empty() ? "" : ":" + cached->version) +
              " from git " + escape_text(where));
  } else if (!use_cache) {
    if (kind == SourceKind::kRepository && locked) {  // from the repository the lock names
      Puller from_lock(cache, make_curl_client(), {locked->source});
      cached = LMP_TRY(from_lock.update(ref)).package;
    } else {
      PullOutcome pulled = LMP_TRY(puller_.update(ref));
      if (!pulled.up_to_date)
        log::info("pulled " + name +
                  (pulled.package.version.empty() ? "" : ":" + pulled.package.version) + " from " +
                  escape_text(pulled.package.source));
      cached = std::move(pulled.package);
    }
  }
  DependencyPackage out;
  out.name = name;
  out.version = cached->version;
  out.kind = kind;
  out.source = kind == SourceKind::kRepository ? repository_of(*cached) : where;
  out.main_file = cached->main_file();
  out.sha256 = main_sha256(*cached);
  if (out.sha256.empty()) out.sha256 = LMP_TRY(sha256_file(out.main_file));
  std::error_code ec;
  if (fs::is_regular_file(cached->dir / "config.json", ec)) {
    package::Config config = LMP_TRY(package::read_config_file(cached->dir / "config.json"));
    out.dependencies = std::move(config.dependencies);
    if (out.version.empty()) out.version = config.version;
  }
  return out;
}

Result<DependencyGraph> resolve_package_dir(const fs::path& dir, Puller& puller,
                                            const FetchOptions& options) {
  std::error_code ec;
  if (!fs::is_regular_file(dir / "config.json", ec))
    return fail(ExitCode::kNotFound, (dir / "config.json").string() + ": no such file",
                "dependencies are listed in a package's config.json");
  DependencyGraph graph;
  graph.root = LMP_TRY(package::read_config_file(dir / "config.json"));
  std::optional<LockFile> lock;
  if (options.use_lock) lock = LMP_TRY(read_lock_file(dir));
  if (lock && !lock_matches(*lock, graph.root)) {
    log::info((dir / kLockFileName).string() +
              " does not match config.json's dependencies; resolving again (run 'lmp lock')");
    lock.reset();
  }
  graph.locked = lock.has_value();
  CachingSource source(puller, options);
  graph.resolution = LMP_TRY(resolve_dependencies(graph.root, source, lock ? &*lock : nullptr));
  return graph;
}

Result<std::vector<DependencyPackage>> resolve_and_fetch(const fs::path& dir,
                                                         const FetchOptions& options) {
  Puller puller = LMP_TRY(make_puller());
  DependencyGraph graph = LMP_TRY(resolve_package_dir(dir, puller, options));
  std::vector<DependencyPackage> out = std::move(graph.resolution.packages);
  DependencyPackage root;
  root.name = graph.root.name;
  root.version = graph.root.version;
  std::error_code ec;
  root.source = fs::absolute(dir, ec).string();
  root.main_file = main_file_in(dir);
  if (!root.main_file.empty()) root.sha256 = LMP_TRY(sha256_file(root.main_file));
  root.dependencies = graph.root.dependencies;
  out.push_back(std::move(root));
  return out;
}

}  // namespace lmp::registry
