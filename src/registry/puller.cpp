#include "registry/puller.h"

#include <set>

#include "common/file.h"
#include "common/log.h"
#include "common/text_escape.h"
#include "package/package.h"
#include "registry/cache_reference.h"
#include "registry/digest.h"
#include "registry/oci_pull.h"
#include "registry/search.h"
#include "registry/signature_transport.h"
#include "registry/signing.h"

namespace lmp::registry {
namespace {

namespace fs = std::filesystem;

// The last path component of a URL, without query or fragment.
std::string url_file_name(const std::string& url) {
  std::string path = url.substr(0, url.find_first_of("?#"));
  std::size_t scheme = path.find("://");
  std::size_t host_end = path.find('/', scheme == std::string::npos ? 0 : scheme + 3);
  if (host_end == std::string::npos) return "";
  path = path.substr(host_end);
  while (!path.empty() && path.back() == '/') path.pop_back();
  return path.substr(path.rfind('/') + 1);
}

// A package name from a URL: the directory of package.json / app.wasm, else the file stem.
std::string url_package_name(const std::string& url) {
  std::string path = url.substr(0, url.find_first_of("?#"));
  std::string file = url_file_name(url);
  std::string name = fs::path(file).stem().string();
  if (file == "package.json" || file == "app.wasm" || file == "package.yaml") {
    std::string dir = path.substr(0, path.rfind('/'));
    name = dir.substr(dir.rfind('/') + 1);
  }
  for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return is_package_name(name) ? name : "package";
}

// An unverified download (a URL, a legacy repository: no digest to check) is cached only
// when it is what lmp runs: a WebAssembly module (`.wasm`: its magic and version) or a
// package that parses. An HTML page or a directory listing is not.
Result<void> check_unverified(const fs::path& file, const RemoteFile& remote) {
  std::string bytes = LMP_TRY(read_file(file, max_download_bytes()));
  auto refuse = [&](const std::string& why) {
    return fail(ExitCode::kBadPackage, remote.url + ": " + why,
                "nothing was cached; the URL must name a package.json, package.yaml or .wasm");
  };
  if (remote.name.ends_with(".wasm")) {
    if (!bytes.starts_with(std::string_view("\0asm\x01\0\0\0", 8)))
      return refuse("not a WebAssembly module (no \\0asm header, version 1)");
    return {};
  }
  auto parsed = package::parse_package(bytes);
  if (!parsed) return refuse("not an lmp package (" + escape_text(parsed.error().message) + ")");
  return {};
}

fs::path local_main_file(const fs::path& path) {
  std::error_code ec;
  if (!fs::is_directory(path, ec)) return path;
  for (const char* name : {"app.wasm", "package.json", "package.yaml"})
    if (fs::is_regular_file(path / name, ec)) return path / name;
  return path / "package.json";
}

}  // namespace

Result<PullPolicy> parse_pull_policy(std::string_view text) {
  if (text == "always") return PullPolicy::kAlways;
  if (text == "missing") return PullPolicy::kMissing;
  if (text == "never") return PullPolicy::kNever;
  return fail(ExitCode::kUsage, "bad --pull value '" + std::string(text) + "'",
              "use always, missing or never");
}

Puller::Puller(Cache cache, std::unique_ptr<HttpClient> http, std::vector<std::string> repositories)
    : cache_(std::move(cache)), http_(std::move(http)) {
  for (auto& url : repositories) repositories_.emplace_back(std::move(url), *http_);
}

Result<PullOutcome> Puller::pull_name(const std::string& name, const std::string& version) {
  if (repositories_.empty())
    return fail(ExitCode::kNotFound, "no package '" + name + "': no repository is configured",
                "set LMP_REPOSITORY to a repository URL");
  std::optional<Error> first_error;
  std::set<std::string> known;
  for (auto& repo : repositories_) {
    auto resolved = repo.resolve(name, version);
    if (resolved) {
      if (resolved->metadata && resolved->metadata->yanked)
        log::warn(resolved->version + " of " + name + " is yanked");
      auto pulled = resolved->probe ? download_probe(*resolved) : download(*resolved, false);
      if (pulled || pulled.error().code != ExitCode::kNotFound || !resolved->probe) return pulled;
      continue;  // legacy repository without this name
    }
    if (resolved.error().code != ExitCode::kNotFound) {
      log::debug(resolved.error().message);
      if (!first_error) first_error = resolved.error();
      continue;
    }
    if (!resolved.error().hint.empty())
      return std::unexpected(resolved.error());  // no such version
    if (auto idx = repo.index(); idx && *idx)
      for (const auto& [n, _] : (*idx)->packages) known.insert(n);
  }
  if (first_error) return std::unexpected(*first_error);
  std::string hint;
  for (const auto& n : closest_names(name, {known.begin(), known.end()}))
    hint += (hint.empty() ? "did you mean " : ", ") + ("'" + n + "'");
  hint = hint.empty() ? "try 'lmp search " + name + "'" : hint + "?";
  std::string where = std::to_string(repositories_.size()) + " repositor" +
                      (repositories_.size() == 1 ? "y" : "ies");
  return fail(ExitCode::kNotFound, "no package '" + name + "' in " + where, hint);
}

std::optional<CachedPackage> Puller::cached_copy(const ResolvedPackage& package, bool from_url) {
  if (!from_url && package.version.empty()) return std::nullopt;  // a legacy probe: unknown
  auto found =
      from_url ? cache_.find_url(package.source) : cache_.find(package.name, package.version);
  if (!found || !*found || (!from_url && (*found)->version != package.version)) return std::nullopt;
  if (!cache_.verify(**found)) return std::nullopt;  // damaged: download it again
  return std::move(**found);
}

Result<PullOutcome> Puller::download(const ResolvedPackage& package, bool from_url) {
  std::optional<CachedPackage> cached = cached_copy(package, from_url);
  bool all_indexed = std::all_of(package.files.begin(), package.files.end(),
                                 [](const RemoteFile& f) { return !f.sha256.empty(); });
  if (cached && all_indexed) {
    std::vector<FileEntry> listed;
    for (const auto& f : package.files) listed.push_back({f.name, f.sha256, f.size});
    if (same_files(*cached, listed)) return PullOutcome{std::move(*cached), true};
  }
  // Download and verify every file before storing any, so a failure caches nothing.
  Cache::Fetched fetched;
  for (const auto& file : package.files) {
    bool indexed = !file.sha256.empty();
    if (indexed && file.size > max_download_bytes())
      return fail(ExitCode::kBadPackage,
                  file.url + ": the index lists " + std::to_string(file.size) +
                      " bytes, more than the limit of " + std::to_string(max_download_bytes()),
                  "LMP_MAX_DOWNLOAD_BYTES raises the limit");
    if (indexed && cache_.has_blob(file.sha256)) {  // commit() checks the size
      fetched.emplace_back(TempFile({}), FileEntry{file.name, file.sha256, file.size});
      continue;
    }
    TempFile temp = LMP_TRY(cache_.temp_file());
    std::string label =
        package.name + (package.version.empty() ? "" : ":" + package.version) + " " + file.name;
    // Not one byte more than the index lists; the documented maximum when nothing does.
    std::uint64_t max_bytes = indexed ? file.size : max_download_bytes();
    Download got = LMP_TRY(http_->fetch_to_file(file.url, temp.path(), label, max_bytes));
    if (!indexed) LMP_CHECK(check_unverified(temp.path(), file));
    if (!file.sha256.empty() && (got.sha256 != file.sha256 || got.size != file.size))
      return fail(
          ExitCode::kNetwork,
          file.url + ": sha256 mismatch (expected " + file.sha256 + ", " +
              std::to_string(file.size) + " bytes; got " + got.sha256 + ", " +
              std::to_string(got.size) + " bytes)",
          "the repository is inconsistent or the download was tampered with; nothing was cached");
    if (file.name == kSignatureFile) {  // verified when run; here only its form
      auto form = check_signature_file(temp.path());
      if (!form) return std::unexpected(std::move(form.error()).context(file.url));
    }
    fetched.emplace_back(std::move(temp), FileEntry{file.name, got.sha256, got.size});
  }
  if (cached) {  // unindexed files: the same bytes as the cached copy?
    std::vector<FileEntry> got;
    for (const auto& [_, file] : fetched) got.push_back(file);
    if (same_files(*cached, got)) return PullOutcome{std::move(*cached), true};
  }
  CachedPackage entry;
  entry.name = package.name;
  entry.version = package.version;
  entry.source = package.source;
  entry.from_url = from_url;
  return PullOutcome{LMP_TRY(cache_.commit(std::move(entry), fetched)), false};
}

Result<PullOutcome> Puller::download_probe(const ResolvedPackage& package) {
  for (const auto& file : package.files) {
    ResolvedPackage one = package;
    one.files = {file};
    auto got = download(one, false);
    if (got || got.error().code != ExitCode::kNotFound) return got;
  }
  return fail(ExitCode::kNotFound, "no package '" + package.name + "' at " + package.source,
              "neither app.wasm nor package.json exists there");
}

Result<PullOutcome> Puller::pull_url(const std::string& url) {
  ResolvedPackage p;
  p.name = url_package_name(url);
  p.source = url;
  std::string file = url_file_name(url);
  if (!is_plain_file_name(file)) file = "package.json";
  p.files.push_back({file, url, "", 0});
  return download(p, true);
}

Result<CachedPackage> Puller::pull(const Reference& ref) {
  return LMP_TRY(update(ref)).package;
}

Result<PullOutcome> Puller::update(const Reference& ref) {
  switch (ref.kind) {
    case ReferenceKind::kLocalPath:
      return fail(ExitCode::kUsage, ref.text + " is a local path; there is nothing to pull");
    case ReferenceKind::kOci: {
      auto [package, up_to_date] = LMP_TRY(update_oci(cache_, ref));
      return PullOutcome{std::move(package), up_to_date};
    }
    case ReferenceKind::kUrl:
      return pull_url(ref.url);
    case ReferenceKind::kName:
      break;
  }
  return pull_name(ref.name, ref.version);
}

Result<fs::path> Puller::resolve_to_local(const Reference& ref, PullPolicy policy) {
  if (ref.kind == ReferenceKind::kLocalPath) {
    fs::path file = local_main_file(ref.path);
    std::error_code ec;
    if (!fs::exists(file, ec)) return fail(ExitCode::kNotFound, "no such file: " + file.string());
    return file;
  }
  if (policy != PullPolicy::kAlways) {
    std::optional<CachedPackage> cached;
    if (ref.kind == ReferenceKind::kUrl) cached = LMP_TRY(cache_.find_url(ref.url));
    if (ref.kind == ReferenceKind::kName) cached = LMP_TRY(cache_.find(ref.name, ref.version));
    if (ref.kind == ReferenceKind::kOci) cached = LMP_TRY(cache_.find_url(oci_source(ref)));
    std::error_code ec;
    if (cached && fs::exists(cached->main_file(), ec)) {
      LMP_CHECK(cache_.verify(*cached));  // what is loaded is what was pulled
      return cached->main_file();
    }
    if (policy == PullPolicy::kNever) {
      std::string cached_versions;
      if (ref.kind == ReferenceKind::kName)
        for (const auto& e : LMP_TRY(cache_.list()))
          if (!e.from_url && e.name == ref.name && !e.version.empty())
            cached_versions += (cached_versions.empty() ? "" : ", ") + e.version;
      return fail(ExitCode::kNotFound,
                  to_string(ref) + " is not in the cache" +
                      (cached_versions.empty() ? "" : " (cached: " + cached_versions + ")"),
                  "run 'lmp pull " + ref.text + "' or use --pull missing");
    }
  }
  CachedPackage pulled = LMP_TRY(pull(ref));
  return pulled.main_file();
}

Result<Puller> make_puller() {
  fs::path home = LMP_TRY(lmp_home());
  Cache cache = LMP_TRY(Cache::open(home));
  return Puller(std::move(cache), make_curl_client(), configured_repositories());
}

Result<fs::path> resolve_to_local(const Reference& ref, PullPolicy policy) {
  Puller puller = LMP_TRY(make_puller());
  return puller.resolve_to_local(ref, policy);
}

}  // namespace lmp::registry
