#include "registry/signing_run.h"

#include <algorithm>
#include <cstdlib>
#include <set>

#include "common/file.h"
#include "registry/cache.h"
#include "registry/cache_reference.h"
#include "registry/static_repository.h"

namespace lmp::registry {
namespace {

namespace fs = std::filesystem;

fs::path canonical_or_absolute(const fs::path& path) {
  std::error_code ec;
  fs::path real = fs::weakly_canonical(path, ec);
  return ec ? fs::absolute(path).lexically_normal() : real;
}

bool is_signable_file(const fs::path& file) {
  return std::any_of(std::begin(kSignedFiles), std::end(kSignedFiles),
                     [&](const char* name) { return file.filename() == name; });
}

const char* source_name(PackageSource source) {
  switch (source) {
    case PackageSource::kLocalPath:
      return "a local path";
    case PackageSource::kRepository:
      return "a repository";
    case PackageSource::kCatalog:
      return "the bundled catalog";
    case PackageSource::kUrl:
      return "a URL";
    case PackageSource::kOci:
      return "an OCI registry";
  }
  return "a repository";
}

// One package under `policy`: a warning to print (empty when none) or the error.
Result<std::string> verify_one(const RunPackage& package, const TrustPolicy& policy,
                               const std::optional<std::string>& catalog_key,
                               std::optional<VerifyMode> override_mode) {
  fs::path dir = package.file.parent_path();
  if (dir.empty()) dir = ".";
  TrustPolicy effective = policy;
  // The catalog's key vouches for the catalog's packages, and only for those.
  if (package.source == PackageSource::kCatalog && catalog_key)
    effective.keys.push_back(
        TrustedKey{key_fingerprint(*catalog_key), *catalog_key, "bundled catalog", "*"});
  std::string warning;
  if (!is_signable_file(package.file)) {
    // A package.yaml or a compiled object: no signature covers the file that runs.
    VerifyMode mode = effective.verify;
    for (const auto& [pattern, m] : effective.per_name)
      if (name_matches(pattern, package.name)) mode = m;
    if (override_mode) mode = *override_mode;
    std::string why = package.file.filename().string() +
                      " cannot be signed (a signature covers package.json, app.wasm and "
                      "config.json)";
    if (mode == VerifyMode::kRequire)
      return fail(ExitCode::kPermission, "refused to run " + package.name + ": " + why,
                  "run the package.json that lmp build writes, signed with lmp sign");
    if (mode == VerifyMode::kWarn) warning = package.name + ": " + why + "; running it anyway";
  } else {
    auto checked = check_trust(dir, package.name, effective, override_mode);
    if (!checked) {
      Error error = checked.error();
      if (!error.message.starts_with("refused to run "))
        error.message = package.name + ": " + error.message;
      return std::unexpected(std::move(error));
    }
    warning = *checked;
  }
  // A local path is the user's own file: in warn mode it is not warned about.
  if (package.source == PackageSource::kLocalPath) return std::string();
  if (!warning.empty()) warning += " [from " + std::string(source_name(package.source)) + "]";
  return warning;
}

}  // namespace

std::optional<std::string> bundled_catalog_key() {
  auto url = bundled_catalog();
  if (!url || !url->starts_with("file://")) return std::nullopt;
  fs::path file = fs::path(url->substr(7)) / kCatalogKeyFile;
  auto text = read_file(file, 4096);
  if (!text) return std::nullopt;
  auto key = parse_public_key(*text);
  if (!key) return std::nullopt;
  return *key;
}

Result<RunPackage> describe_run_package(const fs::path& file, const fs::path& home,
                                        const std::optional<std::string>& catalog_url) {
  RunPackage package;
  package.file = file;
  fs::path dir =
      canonical_or_absolute(file.parent_path().empty() ? fs::path(".") : file.parent_path());
  fs::path packages = canonical_or_absolute(home / "packages");
  fs::path rel = dir.lexically_relative(packages);
  bool in_cache = !rel.empty() && *rel.begin() != ".." && *rel.begin() != ".";
  if (in_cache) {
    std::error_code ec;
    if (fs::exists(home / "refs.json", ec)) {
      Cache cache = LMP_TRY(Cache::open(home));
      for (const CachedPackage& entry : LMP_TRY(cache.list())) {
        if (canonical_or_absolute(entry.dir) != dir) continue;
        package.name = entry.name;
        switch (origin_of(entry)) {
          case PackageOrigin::kRepository:
            package.source = catalog_url && entry.source.starts_with(*catalog_url + "/")
                                 ? PackageSource::kCatalog
                                 : PackageSource::kRepository;
            break;
          case PackageOrigin::kUrl:
          case PackageOrigin::kGit:  // a git dependency: fetched from an address, as a URL
            package.source = PackageSource::kUrl;
            break;
          case PackageOrigin::kOci:
            package.source = PackageSource::kOci;
            break;
        }
        return package;
      }
    }
    // In the cache's directory but not in refs.json: nobody vouches for where it came from.
    package.source = PackageSource::kRepository;
  }
  package.name = is_signable_file(file) ? identity_of(dir).name : file.stem().string();
  return package;
}

Result<RunPackage> describe_run_package(const fs::path& file, const fs::path& home) {
  return describe_run_package(file, home, bundled_catalog());
}

Result<std::optional<VerifyMode>> verify_mode_from_env() {
  const char* env = std::getenv("LMP_VERIFY");
  if (!env || !*env) return std::optional<VerifyMode>();
  auto mode = parse_verify_mode(env);
  if (!mode)
    return fail(ExitCode::kUsage, "LMP_VERIFY='" + std::string(env) + "' is not a verify mode",
                "use off, warn or require");
  return std::optional<VerifyMode>(*mode);
}

Result<std::vector<std::string>> verify_run_packages(const std::vector<RunPackage>& packages,
                                                     const TrustPolicy& policy,
                                                     const std::optional<std::string>& catalog_key,
                                                     std::optional<VerifyMode> override_mode) {
  std::vector<std::string> warnings;
  std::set<fs::path> seen;  // a package named twice in one run warns once
  for (const RunPackage& package : packages) {
    std::string warning = LMP_TRY(verify_one(package, policy, catalog_key, override_mode));
    if (!warning.empty() && seen.insert(canonical_or_absolute(package.file)).second)
      warnings.push_back(std::move(warning));
  }
  return warnings;
}

Result<std::vector<std::string>> verify_run_packages(const std::vector<RunPackage>& packages,
                                                     const fs::path& home,
                                                     std::optional<VerifyMode> override_mode) {
  if (override_mode == VerifyMode::kOff) return std::vector<std::string>();
  TrustPolicy policy = LMP_TRY(read_trust_policy(home));
  return verify_run_packages(packages, policy, bundled_catalog_key(), override_mode);
}

}  // namespace lmp::registry
