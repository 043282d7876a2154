#include "registry/oci_pull.h"

#include "common/log.h"
#include "registry/cache_reference.h"
#include "registry/credentials.h"
#include "registry/semver.h"
#include "registry/signature_transport.h"
#include "registry/signing.h"

namespace lmp::registry {

std::string oci_source(const Reference& ref) {
  Reference canonical = ref;
  canonical.kind = ReferenceKind::kOci;
  return to_string(canonical);
}

Result<OciSession> open_oci_session(const std::filesystem::path& home,
                                    const std::string& registry) {
  OciSession session;
  session.transport = make_curl_transport();
  auto found = LMP_TRY(find_credentials(home, registry));
  std::optional<Credentials> credentials;
  if (found) credentials = found->credentials;
  session.client = std::make_unique<OciClient>(*session.transport, registry, credentials);
  return session;
}

Result<CachedPackage> pull_oci(Cache& cache, OciClient& client, const Reference& ref) {
  return LMP_TRY(update_oci(cache, client, ref)).first;
}

Result<std::pair<CachedPackage, bool>> update_oci(Cache& cache, OciClient& client,
                                                  const Reference& ref) {
  if (ref.kind != ReferenceKind::kOci)
    return fail(ExitCode::kUsage, ref.text + " is not an OCI image reference");
  const OciReference& oci = ref.oci;
  std::string wanted = oci.digest.empty() ? oci.tag : oci.digest;
  FetchedManifest fetched = LMP_TRY(client.fetch_manifest(oci.repository, wanted));
  OciManifest manifest = LMP_TRY(parse_oci_manifest(fetched.body, fetched.media_type));
  std::vector<PackageLayer> layers = LMP_TRY(package_layers(manifest));

  std::vector<FileEntry> listed;
  for (const auto& layer : layers)
    listed.push_back({layer.file_name, layer.descriptor.sha256_hex(), layer.descriptor.size});
  if (auto cached = LMP_TRY(cache.find_url(oci_source(ref)));
      cached && same_files(*cached, listed) && cache.verify(*cached))
    return std::pair{std::move(*cached), true};

  // Download and verify every layer before storing any, so a failure caches nothing.
  std::vector<std::pair<TempFile, FileEntry>> fetched_files;
  for (const auto& layer : layers) {
    FileEntry entry{layer.file_name, layer.descriptor.sha256_hex(), layer.descriptor.size};
    if (cache.has_blob(entry.sha256)) {
      fetched_files.emplace_back(TempFile({}), entry);
      continue;
    }
    TempFile temp = LMP_TRY(cache.temp_file());
    std::string label =
        ref.name + ":" + (oci.tag.empty() ? "digest" : oci.tag) + " " + layer.file_name;
    LMP_TRY(client.fetch_blob(oci.repository, layer.descriptor, temp.path(), label));
    if (layer.file_name == kSignatureFile) {  // verified when run; here only its form
      auto form = check_signature_file(temp.path());
      if (!form) return std::unexpected(std::move(form.error()).context(to_string(ref)));
    }
    fetched_files.emplace_back(std::move(temp), entry);
  }
  CachedPackage package;
  package.name = is_package_name(ref.name) ? ref.name : "package";
  package.version = parse_semver(oci.tag) ? oci.tag : "";
  package.source = oci_source(ref);
  package.from_url = true;
  log::debug("pulled " + package.source + " (manifest " + fetched.digest + ")");
  return std::pair{LMP_TRY(cache.commit(std::move(package), fetched_files)), false};
}

Result<CachedPackage> pull_oci(Cache& cache, const Reference& ref) {
  return LMP_TRY(update_oci(cache, ref)).first;
}

Result<std::pair<CachedPackage, bool>> update_oci(Cache& cache, const Reference& ref) {
  if (ref.kind != ReferenceKind::kOci)
    return fail(ExitCode::kUsage, ref.text + " is not an OCI image reference");
  OciSession session = LMP_TRY(open_oci_session(cache.home(), ref.oci.registry));
  return update_oci(cache, *session.client, ref);
}

}  // namespace lmp::registry
