#include "registry/oci_push.h"

#include "common/file.h"
#include "package/config.h"
#include "package/package.h"
#include "registry/digest.h"
#include "registry/signing.h"

namespace lmp::registry {
namespace {

namespace fs = std::filesystem;

OciDescriptor describe(std::string_view media_type, const std::string& content) {
  OciDescriptor d;
  d.media_type = std::string(media_type);
  d.digest = "sha256:" + sha256_hex(content);
  d.size = content.size();
  return d;
}

}  // namespace

Result<ImagePlan> plan_image(const fs::path& dir) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec))
    return fail(ExitCode::kNotFound, "no such directory: " + dir.string());
  if (!fs::is_regular_file(dir / "package.json", ec))
    return fail(ExitCode::kNotFound, "no package.json in " + dir.string(),
                "build one with 'lmp build -o " + dir.string() + "'");
  ImagePlan plan;
  std::string config = "{}";
  if (fs::is_regular_file(dir / "config.json", ec)) {
    config = LMP_TRY(read_file(dir / "config.json"));
    auto parsed = package::parse_config(config);
    if (!parsed)
      return std::unexpected(std::move(parsed.error()).context((dir / "config.json").string()));
  }
  plan.manifest.media_type = std::string(kOciManifestType);
  plan.manifest.config = describe(kLmpConfigType, config);
  plan.blobs.emplace_back(plan.manifest.config.digest, config);
  if (fs::is_regular_file(dir / kSignatureFile, ec)) {
    // Never push a signature its own files contradict (a rebuild after signing).
    if (auto verified = verify_package(dir); !verified) {
      Error error = verified.error();
      error.hint = "sign it again after its last build (lmp sign " + dir.string() +
                   "), or remove its lmp.sig";
      return std::unexpected(std::move(error));
    }
  }
  for (const char* name : {"package.json", "app.wasm", "README.md", "config.json", "lmp.sig"}) {
    if (!fs::is_regular_file(dir / name, ec)) continue;
    std::string content = LMP_TRY(read_file(dir / name));
    if (std::string_view(name) == "package.json") {
      auto parsed = package::parse_package(content);
      if (!parsed) return std::unexpected(std::move(parsed.error()).context((dir / name).string()));
    }
    OciDescriptor layer = describe(media_type_for_file(name), content);
    layer.annotations[std::string(kTitleAnnotation)] = name;
    plan.files.push_back({name, layer.sha256_hex(), layer.size});
    plan.manifest.layers.push_back(layer);
    plan.blobs.emplace_back(layer.digest, std::move(content));
  }
  return plan;
}

Result<PushedImage> push_oci(OciClient& client, const fs::path& dir, const Reference& ref) {
  if (ref.kind != ReferenceKind::kOci)
    return fail(ExitCode::kUsage, "'" + ref.text + "' is not an OCI image reference",
                "use HOST[:PORT]/REPOSITORY:TAG, e.g. localhost:5000/tools/opensnoop:1.0.0");
  if (!ref.oci.digest.empty())
    return fail(ExitCode::kUsage, "cannot push to a digest reference: " + ref.text,
                "name a tag instead");
  ImagePlan plan = LMP_TRY(plan_image(dir));
  for (const auto& [digest, content] : plan.blobs)
    LMP_CHECK(client.push_blob(ref.oci.repository, digest, content));
  PushedImage pushed;
  pushed.digest = LMP_TRY(client.push_manifest(
      ref.oci.repository, ref.oci.tag, write_oci_manifest(plan.manifest), kOciManifestType));
  pushed.files = std::move(plan.files);
  return pushed;
}

}  // namespace lmp::registry
