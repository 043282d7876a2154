// Project templates compiled into the lmp binary by cmake/embed.cmake (from templates/).
#pragma once

#include <span>
#include <string_view>

namespace lmp::compiler {

struct EmbeddedFile {
  std::string_view template_name;  // "default", "hist", ...
  std::string_view path;           // relative path inside the template, may contain __NAME__
  std::string_view content;
};

// Every embedded file, grouped by template, sorted by path.
std::span<const EmbeddedFile> embedded_template_files();

}  // namespace lmp::compiler
