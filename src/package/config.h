// config.json: the package's name, version and description (see docs/package-format.md).
#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/result.h"

namespace lmp::package {

// One entry of config.json's "dependencies" (docs/dependencies.md): a version range and at
// most one source. Without `url`, `oci` or `git` the name is looked up in the configured
// repositories, as `lmp run NAME` does.
struct Dependency {
  std::string range;  // semver range text (registry/semver_range.h); "" = any version
  std::string url;    // "url": a package.json, package.yaml or app.wasm URL
  std::string oci;    // "oci": an OCI reference, host/repository[:tag][@digest]
  std::string git;    // "git": a git repository URL (or path), with
  std::string tag;    //   "tag": the tag to check out (required with git)
  std::string path;   //   "path": the package's directory in the repository ("" = its top)

  // The source as one string: the url, the OCI reference, "GIT#TAG" or "GIT#TAG:PATH"
  // (git_source_text), or "" for the repositories.
  std::string source() const;
  bool operator==(const Dependency&) const = default;
};

// "URL#TAG" or "URL#TAG:PATH" (a tag holds no ':', a URL no '#'), and back; the parse
// returns false for text not of that form.
std::string git_source_text(const std::string& url, const std::string& tag,
                            const std::string& path);
bool parse_git_source_text(std::string_view text, std::string& url, std::string& tag,
                           std::string& path);

struct Config {
  std::string name;     // ^[a-z0-9][a-z0-9._-]{0,63}$
  std::string version;  // semver
  std::string author;
  std::string description;
  std::string license;
  std::string category;
  std::vector<std::string> tags;
  std::map<std::string, Dependency> dependencies;  // by package name
  std::string homepage;
};

// Parses and validates config.json text; kBadPackage errors name the field.
Result<Config> parse_config(std::string_view text);
Result<Config> read_config_file(const std::filesystem::path& path);
nlohmann::json to_json(const Config& config);
// A dependency as config.json writes it: the bare range string when it has no source, else
// {"version", "url" | "oci" | "git" + "tag" [+ "path"]}.
nlohmann::json to_json(const Dependency& dependency);

bool is_valid_package_name(std::string_view name);
bool is_valid_semver(std::string_view version);

}  // namespace lmp::package
