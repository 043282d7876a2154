#include "registry/oci_manifest.h"

#include <array>
#include <set>

#include <nlohmann/json.hpp>

#include "common/text_escape.h"
#include "registry/digest.h"
#include "registry/repo_builder.h"

namespace lmp::registry {
namespace {

using nlohmann::json;
using nlohmann::ordered_json;

inline constexpr std::size_t kMaxAnnotations = 64;
inline constexpr std::size_t kMaxStringBytes = 4096;

std::unexpected<Error> bad_oci_manifest(const std::string& path, const std::string& what) {
  // Both may quote the registry's own keys and values: escaped for the terminal.
  return fail(ExitCode::kBadPackage, "OCI manifest: " + escape_text(path + ": " + what),
              "the registry holds something other than an lmp package");
}

Result<std::string> string_field(const json& obj, const char* key, const std::string& path,
                                 bool required) {
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) {
    if (required) return bad_oci_manifest(path + "." + key, "missing");
    return std::string();
  }
  if (!it->is_string()) return bad_oci_manifest(path + "." + key, "expected a string");
  const auto& s = it->get_ref<const std::string&>();
  if (s.size() > kMaxStringBytes) return bad_oci_manifest(path + "." + key, "too long");
  return s;
}

bool is_sha256_digest(std::string_view digest) {
  return digest.starts_with("sha256:") && is_sha256_hex(digest.substr(7));
}

Result<OciDescriptor> parse_descriptor(const json& j, const std::string& path) {
  if (!j.is_object()) return bad_oci_manifest(path, "expected an object");
  OciDescriptor d;
  d.media_type = LMP_TRY(string_field(j, "mediaType", path, true));
  d.digest = LMP_TRY(string_field(j, "digest", path, true));
  if (!is_sha256_digest(d.digest))
    return bad_oci_manifest(path + ".digest", "expected sha256: and 64 lowercase hex digits");
  auto size = j.find("size");
  if (size == j.end() || !size->is_number_unsigned())
    return bad_oci_manifest(path + ".size", "expected a non-negative integer");
  d.size = size->get<std::uint64_t>();
  if (auto a = j.find("annotations"); a != j.end() && !a->is_null()) {
    if (!a->is_object()) return bad_oci_manifest(path + ".annotations", "expected an object");
    if (a->size() > kMaxAnnotations)
      return bad_oci_manifest(path + ".annotations", "too many annotations");
    for (const auto& [key, value] : a->items()) {
      if (!value.is_string())
        return bad_oci_manifest(path + ".annotations." + key, "expected a string");
      if (key.size() > kMaxStringBytes ||
          value.get_ref<const std::string&>().size() > kMaxStringBytes)
        return bad_oci_manifest(path + ".annotations", "annotation too long");
      d.annotations[key] = value.get<std::string>();
    }
  }
  return d;
}

ordered_json descriptor_json(const OciDescriptor& d) {
  ordered_json j;
  j["mediaType"] = d.media_type;
  j["digest"] = d.digest;
  j["size"] = d.size;
  if (!d.annotations.empty()) {
    ordered_json a = ordered_json::object();
    for (const auto& [k, v] : d.annotations) a[k] = v;
    j["annotations"] = a;
  }
  return j;
}

// The file an untitled layer holds, by media type.
std::string file_for_media_type(std::string_view type) {
  if (type == kLmpPackageType) return "package.json";
  if (type == kWasmLayerType) return "app.wasm";
  if (type == kMarkdownType) return "README.md";
  if (type == kLmpConfigType) return "config.json";
  if (type == kLmpSignatureType) return "lmp.sig";
  return "";
}

}  // namespace

std::string manifest_accept_header() {
  return std::string(kOciManifestType) + ", " + std::string(kDockerManifestType) + ", " +
         std::string(kOciIndexType) + ", " + std::string(kDockerListType);
}

std::string OciDescriptor::title() const {
  auto it = annotations.find(std::string(kTitleAnnotation));
  return it == annotations.end() ? std::string() : it->second;
}

std::string OciDescriptor::sha256_hex() const {
  return digest.starts_with("sha256:") ? digest.substr(7) : std::string();
}

Result<OciManifest> parse_oci_manifest(std::string_view text, std::string_view content_type) {
  if (text.size() > kMaxManifestBytes)
    return bad_oci_manifest("document",
                            "larger than " + std::to_string(kMaxManifestBytes) + " bytes");
  json root = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (root.is_discarded()) return bad_oci_manifest("document", "not valid JSON");
  if (!root.is_object()) return bad_oci_manifest("document", "expected an object");
  OciManifest m;
  m.media_type = LMP_TRY(string_field(root, "mediaType", "", false));
  if (m.media_type.empty()) m.media_type = std::string(content_type.substr(0, kMaxStringBytes));
  if (m.media_type == kOciIndexType || m.media_type == kDockerListType ||
      root.contains("manifests"))
    return fail(ExitCode::kBadPackage,
                "OCI manifest: this is an image index (a list of platform images), not a package",
                "lmp packages are single manifests; check the reference");
  if (m.media_type.empty()) m.media_type = std::string(kOciManifestType);
  if (m.media_type != kOciManifestType && m.media_type != kDockerManifestType)
    return bad_oci_manifest(".mediaType", "unsupported manifest type '" + m.media_type + "'");
  auto version = root.find("schemaVersion");
  if (version == root.end() || !version->is_number_integer() || version->get<long long>() != 2)
    return bad_oci_manifest(".schemaVersion", "expected 2");
  auto config = root.find("config");
  if (config == root.end()) return bad_oci_manifest(".config", "missing");
  m.config = LMP_TRY(parse_descriptor(*config, ".config"));
  auto layers = root.find("layers");
  if (layers == root.end() || !layers->is_array())
    return bad_oci_manifest(".layers", "expected an array");
  if (layers->size() > kMaxManifestLayers)
    return bad_oci_manifest(".layers",
                            "more than " + std::to_string(kMaxManifestLayers) + " layers");
  for (std::size_t i = 0; i < layers->size(); ++i)
    m.layers.push_back(
        LMP_TRY(parse_descriptor((*layers)[i], ".layers[" + std::to_string(i) + "]")));
  return m;
}

std::string write_oci_manifest(const OciManifest& manifest) {
  ordered_json root;
  root["schemaVersion"] = 2;
  root["mediaType"] = kOciManifestType;
  root["config"] = descriptor_json(manifest.config);
  ordered_json layers = ordered_json::array();
  for (const auto& l : manifest.layers) layers.push_back(descriptor_json(l));
  root["layers"] = layers;
  return root.dump();
}

Result<std::vector<PackageLayer>> package_layers(const OciManifest& manifest) {
  std::vector<PackageLayer> out;
  if (manifest.layers.size() == 1 && manifest.layers[0].media_type == kWasmLayerType) {
    out.push_back({"app.wasm", manifest.layers[0]});
    return out;
  }
  std::set<std::string> seen;
  for (const auto& layer : manifest.layers) {
    std::string name = layer.title();
    if (name.empty()) name = file_for_media_type(layer.media_type);
    bool known = false;
    for (auto f : kPackageFiles) known = known || name == f;
    if (!known) continue;  // other artifacts in the image are not part of the package
    if (!seen.insert(name).second) return bad_oci_manifest(".layers", "two layers named " + name);
    out.push_back({name, layer});
  }
  if (!seen.contains("package.json") && !seen.contains("app.wasm"))
    return fail(ExitCode::kBadPackage,
                "OCI image holds no package.json or app.wasm layer, so it is not an lmp package",
                "push packages with 'lmp push'");
  return out;
}

std::string_view media_type_for_file(std::string_view file_name) {
  if (file_name == "package.json") return kLmpPackageType;
  if (file_name == "app.wasm") return kWasmLayerType;
  if (file_name == "README.md") return kMarkdownType;
  if (file_name == "config.json") return kLmpConfigType;
  if (file_name == "lmp.sig") return kLmpSignatureType;
  return {};
}

}  // namespace lmp::registry
