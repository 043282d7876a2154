#include "compiler/project_template.h"

#include <algorithm>

#include "common/file.h"
#include "compiler/embedded_templates.h"
#include "compiler/str_cat.h"
#include "package/config.h"

namespace lmp::compiler {

namespace fs = std::filesystem;

std::vector<std::string> template_names() {
  std::vector<std::string> names;
  for (const auto& f : embedded_template_files()) {
    if (std::find(names.begin(), names.end(), f.template_name) == names.end()) {
      names.emplace_back(f.template_name);
    }
  }
  std::sort(names.begin(), names.end());
  return names;
}

std::string substitute_name(std::string_view text, std::string_view name) {
  static constexpr std::string_view kPlaceholder = "__NAME__";
  std::string out;
  out.reserve(text.size());
  for (std::size_t pos = 0;;) {
    std::size_t hit = text.find(kPlaceholder, pos);
    out += text.substr(pos, hit - pos);
    if (hit == std::string_view::npos) return out;
    out += name;
    pos = hit + kPlaceholder.size();
  }
}

Result<std::vector<fs::path>> create_project(const fs::path& dir, std::string_view name,
                                             std::string_view template_name) {
  if (!package::is_valid_package_name(name)) {
    return fail(ExitCode::kUsage, str_cat("invalid project name '", name, "'"),
                "use 1-64 characters: lower-case letters, digits, '.', '_' or '-', "
                "starting with a letter or digit");
  }
  std::vector<const EmbeddedFile*> files;
  for (const auto& f : embedded_template_files()) {
    if (f.template_name == template_name) files.push_back(&f);
  }
  if (files.empty()) {
    std::string known;
    for (const auto& n : template_names()) known += (known.empty() ? "" : ", ") + n;
    return fail(ExitCode::kUsage, str_cat("unknown template '", template_name, "'"),
                "templates: " + known);
  }
  std::error_code ec;
  if (fs::exists(dir, ec) && !(fs::is_directory(dir, ec) && fs::is_empty(dir, ec))) {
    return fail(ExitCode::kUsage, str_cat(dir.string(), " already exists and is not empty"),
                "choose another name or remove it");
  }
  fs::create_directories(dir, ec);
  if (ec) {
    return fail(ExitCode::kFailure, str_cat("cannot create ", dir.string(), ": ", ec.message()));
  }
  std::vector<fs::path> written;
  for (const EmbeddedFile* f : files) {
    fs::path path = dir / substitute_name(f->path, name);
    fs::create_directories(path.parent_path(), ec);
    LMP_CHECK(write_file_atomic(path, substitute_name(f->content, name)));
    written.push_back(path);
  }
  return written;
}

}  // namespace lmp::compiler
