#include "registry/publish_bundle.h"

#include <algorithm>
#include <functional>
#include <optional>
#include <string>

#include "common/file.h"
#include "package/package.h"
#include "registry/signature_transport.h"
#include "registry/signing.h"
#include "registry/stale_wasm.h"

namespace lmp::registry {
namespace {

namespace fs = std::filesystem;

// The hub's own limits (docs/hub.md): bigger files are refused before anything is sent.
inline constexpr std::size_t kMaxReadmeBytes = 1024 * 1024;
inline constexpr std::size_t kMaxConfigBytesPublishBundle = 64 * 1024;

bool is_generated_header(const std::string& name) {
  return name == "lmp-wasm.h" || name.ends_with(".skel.h") || name.ends_with(".wasm.h");
}

// The newest file of DIR that `is_source` accepts.
struct Newest {
  fs::path path;
  fs::file_time_type time = fs::file_time_type::min();
};

std::optional<Newest> newest_source(const fs::path& dir,
                                    const std::function<bool(const std::string&)>& is_source) {
  std::optional<Newest> newest;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    if (!entry.is_regular_file(ec) || !is_source(entry.path().filename().string())) continue;
    auto time = entry.last_write_time(ec);
    if (ec) continue;
    if (!newest || time > newest->time) newest = Newest{entry.path(), time};
  }
  return newest;
}

// Refuses `built` when a source accepted by `is_source` is newer.
Result<void> check_newer_than_sources(const fs::path& dir, const fs::path& built,
                                      const std::function<bool(const std::string&)>& is_source,
                                      const std::string& command) {
  std::error_code ec;
  auto built_time = fs::last_write_time(built, ec);
  if (ec) return {};
  auto newest = newest_source(dir, is_source);
  if (!newest || newest->time <= built_time) return {};
  return fail(ExitCode::kBadPackage,
              built.filename().string() + " is older than " + newest->path.filename().string() +
                  ": the build is stale",
              "run '" + command + "' first, or publish --force to skip this check");
}

Result<std::optional<std::string>> read_optional(const fs::path& path, std::size_t cap) {
  auto content = read_file(path, cap + 1);
  if (!content) {
    if (content.error().code == ExitCode::kNotFound) return std::optional<std::string>();
    return std::unexpected(content.error());
  }
  if (content->size() > cap)
    return fail(ExitCode::kBadPackage, path.string() + " is larger than the hub accepts (" +
                                           std::to_string(cap) + " bytes)");
  return std::optional(std::move(*content));
}

// Prefixes a parse error with the file it came from.
template <typename T>
Result<T> in_file(Result<T> parsed, const fs::path& path) {
  if (!parsed) return std::unexpected(std::move(parsed.error()).context(path.string()));
  return parsed;
}

}  // namespace

Result<PublishBundle> read_publish_bundle(const fs::path& dir, bool skip_checks) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec))
    return fail(ExitCode::kNotFound, "no directory " + dir.string(),
                "run 'lmp publish' in a built project directory, or name it");
  PublishBundle bundle;
  auto config_text = LMP_TRY(read_optional(dir / "config.json", kMaxConfigBytesPublishBundle));
  if (!config_text)
    return fail(ExitCode::kNotFound, "no config.json in " + dir.string(),
                "the hub needs one with name, version, author and description; "
                "'lmp init' writes one");
  bundle.config = LMP_TRY(in_file(package::parse_config(*config_text), dir / "config.json"));

  std::optional<package::Package> pkg;
  auto json_text = LMP_TRY(read_optional(dir / "package.json", package::kMaxPackageBytes));
  fs::path package_file = dir / "package.json";
  if (!json_text) {
    package_file = dir / "package.yaml";
    json_text = LMP_TRY(read_optional(package_file, package::kMaxPackageBytes));
  }
  if (json_text) {
    pkg = LMP_TRY(in_file(package::parse_package(*json_text), package_file));
    if (package_file.extension() == ".yaml") json_text = package::write_package_json(*pkg);
  }
  auto wasm = LMP_TRY(read_optional(dir / "app.wasm", package::kMaxPackageBytes));
  if (!pkg && !wasm)
    return fail(ExitCode::kNotFound, "no package.json or app.wasm in " + dir.string(),
                "run 'lmp build' (and 'lmp build-wasm' for a WebAssembly user space) first");

  if (!skip_checks) {
    if (pkg)
      LMP_CHECK(check_newer_than_sources(
          dir, package_file,
          [](const std::string& n) {
            return n.ends_with(".bpf.c") || (n.ends_with(".h") && !is_generated_header(n));
          },
          "lmp build"));
    if (wasm && fs::exists(dir / "app.c", ec))
      LMP_CHECK(check_newer_than_sources(
          dir, dir / "app.wasm",
          [](const std::string& n) {
            return (n.ends_with(".c") && !n.ends_with(".bpf.c")) || n.ends_with(".h");
          },
          "lmp build-wasm"));
    if (pkg && wasm && !wasm_embeds_object(*wasm, pkg->bpf_object))
      return std::unexpected(
          stale_wasm_error(dir, package_file.filename().string(), "lmp publish --force"));
  }

  if (json_text) bundle.files.push_back({"package.json", std::move(*json_text)});
  if (wasm) bundle.files.push_back({"app.wasm", std::move(*wasm)});
  bundle.files.push_back({"config.json", std::move(*config_text)});
  if (auto readme = LMP_TRY(read_optional(dir / "README.md", kMaxReadmeBytes)))
    bundle.files.push_back({"README.md", std::move(*readme)});
  // The signature goes as it is: the hub verifies it over the files sent with it.
  if (auto signature = LMP_TRY(read_optional(dir / kSignatureFile, kMaxSignatureFileBytes))) {
    if (pkg && package_file.extension() == ".yaml")
      return fail(ExitCode::kBadPackage,
                  "lmp.sig cannot go with package.yaml: the hub receives package.json",
                  "build package.json (lmp build) and sign it again");
    bundle.files.push_back({kSignatureFile, std::move(*signature)});
  }
  std::sort(bundle.files.begin(), bundle.files.end(),
            [](const HubFile& a, const HubFile& b) { return a.name < b.name; });
  for (const auto& f : bundle.files) bundle.size += f.content.size();
  return bundle;
}

}  // namespace lmp::registry
