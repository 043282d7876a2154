// Pulling an lmp package (or a wasm-only image) from an OCI registry into the cache.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "common/result.h"
#include "registry/cache.h"
#include "registry/oci_client.h"
#include "registry/reference.h"

namespace lmp::registry {

// The text an OCI package is cached under (its CachedPackage::source).
std::string oci_source(const Reference& ref);

// A transport and a client for `registry` with the credentials lmp finds for it (lmp's
// store, then docker's config).
struct OciSession {
  std::unique_ptr<OciTransport> transport;
  std::unique_ptr<OciClient> client;
};
Result<OciSession> open_oci_session(const std::filesystem::path& home, const std::string& registry);

// Fetches the manifest of `ref`, downloads every package layer (sha256 and size checked,
// blobs already in the cache skipped) and records the package under oci_source(ref). A
// signature layer (lmp.sig) must also have the form of a signature. A failure caches nothing.
Result<CachedPackage> pull_oci(Cache& cache, OciClient& client, const Reference& ref);

// The same with a session opened for ref's registry.
Result<CachedPackage> pull_oci(Cache& cache, const Reference& ref);

// pull_oci(), except that a cached copy holding exactly the manifest's layers is kept as it
// is (nothing is downloaded); `second` is true then ("up to date").
Result<std::pair<CachedPackage, bool>> update_oci(Cache& cache, OciClient& client,
                                                  const Reference& ref);
Result<std::pair<CachedPackage, bool>> update_oci(Cache& cache, const Reference& ref);

}  // namespace lmp::registry
