// Pushing a package directory to an OCI registry as an image manifest (docs/oci.md).
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "common/result.h"
#include "registry/index.h"
#include "registry/oci_client.h"
#include "registry/reference.h"

namespace lmp::registry {

struct PushedImage {
  std::string digest;            // of the manifest
  std::vector<FileEntry> files;  // the layers, in manifest order
};

// Reads DIR/package.json (required, validated) and DIR/app.wasm, README.md, config.json
// and lmp.sig (optional), and builds the manifest and the blobs to upload: one layer per
// file, lmp.sig as a layer of type kLmpSignatureType (docs/oci.md). A signature that does not
// verify over DIR's files is refused (kBadPackage). Exposed for tests.
struct ImagePlan {
  OciManifest manifest;
  std::vector<std::pair<std::string, std::string>> blobs;  // digest, content (config first)
  std::vector<FileEntry> files;
};
Result<ImagePlan> plan_image(const std::filesystem::path& dir);

// Uploads every blob, then the manifest under ref's tag. `ref` must be an OCI reference
// with a tag (a digest cannot be pushed to).
Result<PushedImage> push_oci(OciClient& client, const std::filesystem::path& dir,
                             const Reference& ref);

}  // namespace lmp::registry
