// libFuzzer target for parse_oci_manifest: never crashes on registry input, and an accepted
// manifest written back parses to the same layers.
// Build: cmake -DLMP_FUZZ=ON (see cmake/fuzz.cmake); ninja oci_manifest_fuzz.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "registry/oci_manifest.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto manifest = lmp::registry::parse_oci_manifest(text);
  if (!manifest) return 0;
  (void)lmp::registry::package_layers(*manifest);
  if (manifest->media_type != lmp::registry::kOciManifestType) return 0;
  auto again = lmp::registry::parse_oci_manifest(lmp::registry::write_oci_manifest(*manifest));
  if (!again || again->layers.size() != manifest->layers.size()) std::abort();
  for (std::size_t i = 0; i < again->layers.size(); ++i)
    if (again->layers[i].digest != manifest->layers[i].digest ||
        again->layers[i].annotations != manifest->layers[i].annotations)
      std::abort();
  return 0;
}
