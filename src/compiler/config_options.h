// Program options described in config.json, for sources that must stay unchanged (no `///`
// comments can be added): "options": {"VARIABLE": {"default": V, "long": "...",
// "short": "x", "help": "..."}, ...}, or "VARIABLE": V as a shorthand for {"default": V}.
// Each entry works like a @cmdarg on that global (keys given override the doc comment's),
// so it also makes a .bss/.data global an option. Rules in docs/build.md.
#pragma once

#include <filesystem>

#include <nlohmann/json.hpp>

#include "common/result.h"
#include "package/package.h"

namespace lmp::compiler {

// Applies config["options"] (absent: nothing) to the variables of `skel`. A name that is no
// global of the object is a warning. Errors (kBadPackage, naming the key) for a malformed
// entry.
Result<void> apply_config_options(const nlohmann::json& config, package::BpfSkel& skel);

// Reads `config_path` (a missing file is no error) and applies its "options".
Result<void> apply_config_options_file(const std::filesystem::path& config_path,
                                       package::BpfSkel& skel);

}  // namespace lmp::compiler
