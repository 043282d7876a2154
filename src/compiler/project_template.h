// `lmp init`: new projects from the templates embedded in the binary (templates/ in the
// source tree). Template paths and contents say __NAME__ where the project name goes.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace lmp::compiler {

inline constexpr std::string_view kDefaultTemplate = "default";

// Names of the embedded templates, sorted.
std::vector<std::string> template_names();

// Replaces every "__NAME__" in `text` with `name`.
std::string substitute_name(std::string_view text, std::string_view name);

// Writes template `template_name` into `dir` (created; it must not exist or be empty) for a
// project called `name`. Errors: kUsage for an invalid name, an unknown template or a
// non-empty directory. Returns the files written.
Result<std::vector<std::filesystem::path>> create_project(const std::filesystem::path& dir,
                                                          std::string_view name,
                                                          std::string_view template_name);

}  // namespace lmp::compiler
