// YAML <-> JSON for package files. Reading follows the YAML 1.2 core schema:
// quoted scalars stay strings; plain true/false, null/~/empty, integers
// (decimal, 0x, 0o) and floats become JSON types; anything else is a string.
#pragma once

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "common/result.h"

namespace lmp::package {

// Documents nested deeper than this, or expanding (through aliases) to more
// nodes than kMaxYamlNodes, are refused.
inline constexpr int kMaxYamlDepth = 256;
inline constexpr std::size_t kMaxYamlNodes = 100'000;

// Parses the first YAML document. Errors are kBadPackage with line and column.
Result<nlohmann::json> yaml_to_json(std::string_view text);

// Block-style YAML whose yaml_to_json gives back `value`. Strings that would
// read back as another type (e.g. "true", "42") are quoted.
std::string json_to_yaml(const nlohmann::json& value);

// What a plain (unquoted) YAML scalar means under the core schema.
nlohmann::json resolve_plain_scalar(std::string_view text);

}  // namespace lmp::package
