// OCI image manifests as lmp packages: the media types, the descriptor model, a parser for
// untrusted manifests and the writer `lmp push` uses. Layout documented in docs/oci.md.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace lmp::registry {

inline constexpr std::string_view kOciManifestType = "application/vnd.oci.image.manifest.v1+json";
inline constexpr std::string_view kOciIndexType = "application/vnd.oci.image.index.v1+json";
inline constexpr std::string_view kDockerManifestType =
    "application/vnd.docker.distribution.manifest.v2+json";
inline constexpr std::string_view kDockerListType =
    "application/vnd.docker.distribution.manifest.list.v2+json";
inline constexpr std::string_view kLmpConfigType = "application/vnd.lmp.config.v1+json";
inline constexpr std::string_view kLmpPackageType = "application/vnd.lmp.package.v1+json";
inline constexpr std::string_view kWasmLayerType = "application/vnd.wasm.content.layer.v1+wasm";
inline constexpr std::string_view kMarkdownType = "text/markdown";
inline constexpr std::string_view kJsonType = "application/json";
// lmp.sig, the package's detached signature (registry/signing.h), as one more layer.
inline constexpr std::string_view kLmpSignatureType = "application/vnd.lmp.signature.v1+json";
inline constexpr std::string_view kTitleAnnotation = "org.opencontainers.image.title";

// The Accept header for manifest requests: the types lmp reads, plus the list types so a
// registry answers with them (and lmp explains) rather than with 404.
std::string manifest_accept_header();

// Manifests larger than this are refused before parsing.
inline constexpr std::size_t kMaxManifestBytes = 4u * 1024 * 1024;
// At most this many layers; an lmp package has four files.
inline constexpr std::size_t kMaxManifestLayers = 128;

struct OciDescriptor {
  std::string media_type;
  std::string digest;  // "sha256:<64 hex>"
  std::uint64_t size = 0;
  std::map<std::string, std::string> annotations;

  std::string title() const;       // the org.opencontainers.image.title annotation or ""
  std::string sha256_hex() const;  // the hex part of `digest`
};

struct OciManifest {
  std::string media_type;  // kOciManifestType or kDockerManifestType
  OciDescriptor config;
  std::vector<OciDescriptor> layers;
};

// Parses a manifest fetched from a registry. `content_type` is the response's Content-Type
// (may be empty); the document's own mediaType wins when present. Refuses oversized input,
// wrong JSON types, schemaVersion other than 2, digests other than sha256, and image
// indexes / manifest lists (kBadPackage, with a hint). Unknown keys are ignored.
Result<OciManifest> parse_oci_manifest(std::string_view text, std::string_view content_type = {});

// Serializes an OCI image manifest (schemaVersion 2, mediaType kOciManifestType), keys in
// a fixed order so the same package always gives the same digest.
std::string write_oci_manifest(const OciManifest& manifest);

// A layer of the image that becomes a file of the cached package.
struct PackageLayer {
  std::string file_name;  // "package.json", "app.wasm", "README.md", "config.json", "lmp.sig"
  OciDescriptor descriptor;
};

// Which layers make up the package: layers are named by their title annotation (unknown
// titles are skipped); untitled layers by media type; a lone wasm layer (as ecli and
// wasm-to-oci push it) is app.wasm whatever its title. Errors (kBadPackage) when neither
// package.json nor app.wasm is present or two layers claim one file name.
Result<std::vector<PackageLayer>> package_layers(const OciManifest& manifest);

// The media type lmp pushes for one package file ("" for a name lmp does not push).
std::string_view media_type_for_file(std::string_view file_name);

}  // namespace lmp::registry
