// What `lmp run` checks before anything loads (docs/signing.md): every package of the run is
// verified against the trust policy ($LMP_HOME/trust.json, or --verify / LMP_VERIFY), with
// the bundled catalog's own key trusted for the packages that came from the catalog.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "common/result.h"
#include "registry/signing.h"

namespace lmp::registry {

// Where a package that is about to run came from. A file inside the cache came from the
// source its cache entry records; any other file is a local path the user named.
enum class PackageSource { kLocalPath, kRepository, kCatalog, kUrl, kOci };

struct RunPackage {
  std::filesystem::path file;  // the file that runs: package.json, app.wasm, ...
  std::string name;            // the name rules and messages use
  PackageSource source = PackageSource::kLocalPath;
};

// The public key file the bundled catalog carries (CATALOG/catalog.pub).
inline constexpr const char* kCatalogKeyFile = "catalog.pub";

// The bundled catalog's public key, when a catalog with a key is installed beside lmp.
std::optional<std::string> bundled_catalog_key();

// Describes the package whose main file is `file`: a cached package by its cache entry (its
// name, and whether its source is the bundled catalog), else a local path named by its
// signed manifest's name (config.json's, else the object's), else by its file name.
Result<RunPackage> describe_run_package(const std::filesystem::path& file,
                                        const std::filesystem::path& home);
// The same with the catalog's file:// URL given (tests).
Result<RunPackage> describe_run_package(const std::filesystem::path& file,
                                        const std::filesystem::path& home,
                                        const std::optional<std::string>& catalog_url);

// LMP_VERIFY's mode, when set (kUsage naming the variable when it is not a mode).
Result<std::optional<VerifyMode>> verify_mode_from_env();

// Checks every package before the run loads any. `override_mode` is --verify / LMP_VERIFY;
// with kOff nothing is read. Returns the warnings to print, one per package at most: in warn
// mode an unsigned package or one signed by an untrusted key, unless it is a local path.
// Errors are one line naming the package and the key: kBadPackage when a signature does not
// verify (tampered, truncated, for another version) in every mode but off; kPermission for a
// revoked key, or under require for an unsigned package or an untrusted key; kUsage for a
// malformed trust.json.
Result<std::vector<std::string>> verify_run_packages(const std::vector<RunPackage>& packages,
                                                     const std::filesystem::path& home,
                                                     std::optional<VerifyMode> override_mode);
// The same with the policy and the catalog's key given (tests).
Result<std::vector<std::string>> verify_run_packages(const std::vector<RunPackage>& packages,
                                                     const TrustPolicy& policy,
                                                     const std::optional<std::string>& catalog_key,
                                                     std::optional<VerifyMode> override_mode);

}  // namespace lmp::registry
