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

struct Config {
  std::string name;     // ^[a-z0-9][a-z0-9._-]{0,63}$
  std::string version;  // semver
  std::string author;
  std::string description;
  std::string license;
  std::string category;
  std::vector<std::string> tags;
  std::map<std::string, std::string> dependencies;  // name -> semver range
  std::string homepage;
};

// Parses and validates config.json text; kBadPackage errors name the field.
Result<Config> parse_config(std::string_view text);
Result<Config> read_config_file(const std::filesystem::path& path);
nlohmann::json to_json(const Config& config);

bool is_valid_package_name(std::string_view name);
bool is_valid_semver(std::string_view version);

}  // namespace lmp::package
