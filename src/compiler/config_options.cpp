#include "compiler/config_options.h"

#include "common/file.h"
#include "common/log.h"
#include "compiler/apply_docs.h"
#include "compiler/str_cat.h"

namespace lmp::compiler {
namespace {

using nlohmann::json;

Result<void> merge_entry(const std::string& where, const json& entry, package::CmdArg& cmdarg) {
  if (!entry.is_object()) {
    cmdarg.default_value = entry;
    return {};
  }
  for (const auto& [key, value] : entry.items()) {
    if (key == "default") {
      cmdarg.default_value = value;
      continue;
    }
    std::string* field = key == "long"    ? &cmdarg.long_name
                         : key == "short" ? &cmdarg.short_name
                         : key == "help"  ? &cmdarg.help
                                          : nullptr;
    if (!field) {
      return fail(ExitCode::kBadPackage, str_cat(where, ": unknown key \"", key, "\""),
                  "use default, long, short or help");
    }
    if (!value.is_string()) {
      return fail(ExitCode::kBadPackage, str_cat(where, ".", key, " must be a string"));
    }
    *field = value.get<std::string>();
  }
  if (cmdarg.short_name.size() > 1) {
    return fail(ExitCode::kBadPackage, str_cat(where, ".short must be a single character"));
  }
  return {};
}

}  // namespace

Result<void> apply_config_options(const json& config, package::BpfSkel& skel) {
  if (!config.is_object() || !config.contains("options")) return {};
  const json& options = config["options"];
  if (!options.is_object()) {
    return fail(ExitCode::kBadPackage, "config.json: \"options\" must be an object");
  }
  for (const auto& [name, entry] : options.items()) {
    std::string where = str_cat("config.json: options.", name);
    bool found = false;
    for (auto& section : skel.data_sections) {
      for (auto& v : section.variables) {
        if (v.name != name) continue;
        package::CmdArg cmdarg = v.cmdarg.value_or(package::CmdArg{});
        LMP_CHECK(merge_entry(where, entry, cmdarg));
        v.cmdarg = std::move(cmdarg);
        found = true;
      }
    }
    if (!found) log::warn(str_cat(where, ": the object has no global named ", name, "; ignored"));
  }
  drop_clashing_settings(skel);
  return {};
}

Result<void> apply_config_options_file(const std::filesystem::path& config_path,
                                       package::BpfSkel& skel) {
  std::error_code ec;
  if (!std::filesystem::exists(config_path, ec)) return {};
  std::string text = LMP_TRY(read_file(config_path));
  // Not accept() then parse(): accept() takes 1e999, which parse() then throws on.
  json config = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (config.is_discarded()) return fail(ExitCode::kBadPackage, "config.json is not valid JSON");
  return apply_config_options(config, skel);
}

}  // namespace lmp::compiler
