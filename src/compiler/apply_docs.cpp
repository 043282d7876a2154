#include "compiler/apply_docs.h"

#include <algorithm>
#include <set>

#include "common/log.h"
#include "compiler/str_cat.h"
#include "package/c_value.h"
#include "package/format_word.h"

namespace lmp::compiler {
namespace {

using nlohmann::json;

Result<json> parse_object(std::string_view text, std::string_view what) {
  // Not accept() then parse(): accept() takes 1e999, which parse() then throws on.
  json j = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return fail(ExitCode::kBuild, str_cat(what, " is not valid JSON"));
  if (!j.is_object()) return fail(ExitCode::kBuild, str_cat(what, " must be a JSON object"));
  return j;
}

Result<std::string> string_field(const json& j, const char* key, std::string_view what) {
  if (!j.contains(key)) return std::string();
  if (!j[key].is_string()) {
    return fail(ExitCode::kBuild, str_cat(what, ": \"", key, "\" must be a string"));
  }
  return j[key].get<std::string>();
}

// "FILE:LINE: message" for an annotation that failed to parse.
std::unexpected<Error> located(std::string_view file, const DocAnnotation& a, const Error& e) {
  return fail(e.code, str_cat(file, ":", a.line, ": ", e.message), e.hint);
}

bool is_license(const DocBlock& b) {
  return b.section == "license" || b.ident == "LICENSE" || b.ident == "_license";
}

void apply_doc(const DocBlock& b, package::Doc& doc) {
  if (!b.text.empty()) doc.description = b.description();
  for (const auto& a : b.annotations) {
    if (a.key == "brief") doc.brief = a.value;
    if (a.key == "details") doc.details = a.value;
    if (a.key == "version") doc.version = a.value;
    if (a.key == "description") doc.description = a.value;
  }
}

Result<void> apply_variable(std::string_view file, const DocBlock& b, package::Variable& v) {
  if (!b.text.empty()) v.description = b.description();
  const DocAnnotation* default_value = nullptr;
  for (const auto& a : b.annotations) {
    if (a.key == "default") {
      default_value = &a;
    } else if (a.key == "description") {
      v.description = a.value;
    } else if (a.key == "cmdarg") {
      auto cmdarg = parse_cmdarg(a.value);
      if (!cmdarg) return located(file, a, cmdarg.error());
      v.cmdarg = std::move(*cmdarg);
    } else if (a.key == "value") {
      v.value = annotation_json(a.value);
    } else if (a.key == "format") {  // names an integer option accepts (-s SIGKILL)
      if (auto checked = package::check_format_word(a.value); !checked)
        return located(file, a, checked.error());
      v.extra["format"] = a.value;
    } else {
      v.extra[a.key] = annotation_json(a.value);
    }
  }
  // `@default V` is the option's default: it makes the global an option (like @cmdarg) and
  // wins over a "default" inside @cmdarg.
  if (default_value) {
    if (default_value->value.empty()) {
      return located(file, *default_value, Error{ExitCode::kBuild, "@default needs a value", ""});
    }
    if (!v.cmdarg) v.cmdarg.emplace();
    v.cmdarg->default_value = annotation_json(default_value->value);
  }
  return {};
}

Result<void> apply_map(std::string_view file, const DocBlock& b, package::MapInfo& m) {
  if (!b.text.empty()) m.extra["description"] = b.description();
  for (const auto& a : b.annotations) {
    if (a.key == "sample") {
      auto sample = parse_sample(a.value);
      if (!sample) return located(file, a, sample.error());
      m.sample = std::move(*sample);
    } else if (a.key == "export_config") {
      m.export_config = annotation_json(a.value);
    } else {
      m.extra[a.key] = annotation_json(a.value);
    }
  }
  return {};
}

void apply_program(const DocBlock& b, package::ProgInfo& p) {
  if (!b.text.empty()) p.extra["description"] = b.description();
  for (const auto& a : b.annotations) {
    if (a.key == "link") {
      json v = annotation_json(a.value);
      if (v.is_boolean()) p.link = v.get<bool>();
    } else {
      p.extra[a.key] = annotation_json(a.value);
    }
  }
}

template <typename T, typename F>
T* find_by(std::vector<T>& items, F&& key_of, const std::string& key) {
  for (auto& item : items) {
    if (key_of(item) == key) return &item;
  }
  return nullptr;
}

std::string option_name(const package::Variable& v) {
  if (v.cmdarg && !v.cmdarg->long_name.empty()) return v.cmdarg->long_name;
  std::string name = v.name;
  std::replace(name.begin(), name.end(), '_', '-');
  return name;
}

}  // namespace

void drop_clashing_settings(package::BpfSkel& skel) {
  auto is_guess = [](const package::DataSection& s, const package::Variable& v) {
    return !s.name.starts_with(".rodata") && v.cmdarg == package::CmdArg{};
  };
  std::set<std::string> taken = {"help"};
  for (const auto& section : skel.data_sections) {
    for (const auto& v : section.variables) {
      bool option = section.name.starts_with(".rodata")
                        ? (v.cmdarg || package::parse_c_type(v.type))
                        : v.cmdarg.has_value();
      if (option && !is_guess(section, v)) taken.insert(option_name(v));
    }
  }
  for (auto& section : skel.data_sections) {
    for (auto& v : section.variables) {
      if (!is_guess(section, v) || taken.insert(option_name(v)).second) continue;
      log::warn(str_cat("global ", v.name, " in ", section.name, " is not an option: --",
                        option_name(v), " is taken (give it a @cmdarg with another \"long\")"));
      v.cmdarg.reset();
    }
  }
}

Result<package::CmdArg> parse_cmdarg(std::string_view text) {
  const char* what = "@cmdarg";
  json j = LMP_TRY(parse_object(text, what));
  package::CmdArg arg;
  if (j.contains("default")) arg.default_value = j["default"];
  arg.long_name = LMP_TRY(string_field(j, "long", what));
  arg.short_name = LMP_TRY(string_field(j, "short", what));
  arg.help = LMP_TRY(string_field(j, "help", what));
  if (arg.short_name.size() > 1) {
    return fail(ExitCode::kBuild, "@cmdarg: \"short\" must be a single character");
  }
  return arg;
}

Result<package::Sample> parse_sample(std::string_view text) {
  const char* what = "@sample";
  json j = LMP_TRY(parse_object(text, what));
  package::Sample sample;
  if (j.contains("interval")) {
    if (!j["interval"].is_number_unsigned()) {
      return fail(ExitCode::kBuild, "@sample: \"interval\" must be a positive number of ms");
    }
    sample.interval_ms = j["interval"].get<uint32_t>();
  }
  std::string type = LMP_TRY(string_field(j, "type", what));
  if (!type.empty()) {
    if (type != "log2_hist" && type != "linear_hist" && type != "default_kv") {
      return fail(ExitCode::kBuild, str_cat("@sample: unknown type \"", type, "\""),
                  "use log2_hist, linear_hist or default_kv");
    }
    sample.type = type;
  }
  sample.unit = LMP_TRY(string_field(j, "unit", what));
  if (j.contains("clear_map")) {
    if (!j["clear_map"].is_boolean()) {
      return fail(ExitCode::kBuild, "@sample: \"clear_map\" must be true or false");
    }
    sample.clear_map = j["clear_map"].get<bool>();
  }
  return sample;
}

Result<void> apply_doc_comments(const std::vector<DocBlock>& blocks, std::string_view file,
                                package::BpfSkel& skel) {
  for (const auto& b : blocks) {
    std::string where = str_cat(file, ":", b.line);
    if (b.kind == DeclKind::kNone) {
      log::warn(where + ": doc comment is not directly above a global, map or program; ignored");
      continue;
    }
    // @export on structs is read by export type detection; helper docs are for readers;
    // member blocks (@format) are applied to the export types by apply_member_formats.
    if (b.kind == DeclKind::kStruct || b.kind == DeclKind::kFunction || b.kind == DeclKind::kMember)
      continue;
    if (b.kind == DeclKind::kVariable && is_license(b)) {
      if (!skel.doc) skel.doc.emplace();
      apply_doc(b, *skel.doc);
      continue;
    }
    bool applied = false;
    if (b.kind == DeclKind::kVariable) {
      for (auto& section : skel.data_sections) {
        auto* v = find_by(
            section.variables, [](auto& x) { return x.name; }, b.ident);
        if (!v) continue;
        LMP_CHECK(apply_variable(file, b, *v));
        applied = true;
      }
    } else if (b.kind == DeclKind::kMap) {
      if (auto* m = find_by(
              skel.maps, [](auto& x) { return x.ident; }, b.ident)) {
        LMP_CHECK(apply_map(file, b, *m));
        applied = true;
      }
    } else if (auto* p = find_by(
                   skel.progs, [](auto& x) { return x.name; }, b.ident)) {
      apply_program(b, *p);
      applied = true;
    }
    if (!applied) {
      log::warn(str_cat(where, ": doc comment on '", b.ident,
                        "', which is not in the compiled object "
                        "(unused globals are dropped by clang); ignored"));
    }
  }
  drop_clashing_settings(skel);
  return {};
}

Result<void> apply_member_formats(const std::vector<DocBlock>& blocks, std::string_view file,
                                  std::vector<package::ExportType>& types) {
  for (const auto& b : blocks) {
    if (b.kind != DeclKind::kMember) continue;
    const DocAnnotation* format = b.find("format");
    if (format == nullptr) continue;
    std::string where = str_cat(file, ":", format->line != 0 ? format->line : b.line);
    if (auto checked = package::check_format_word(format->value); !checked) {
      return fail(ExitCode::kBuild, str_cat(where, ": ", checked.error().message),
                  checked.error().hint);
    }
    bool applied = false;
    for (auto& type : types) {
      if (type.name != b.parent) continue;
      for (auto& member : type.members) {
        if (member.name != b.ident) continue;
        member.format = format->value;
        applied = true;
      }
    }
    if (!applied) {
      log::info(str_cat(where, ": @format on ", b.parent, ".", b.ident,
                        ", which no event buffer exports; it applies to events only"));
    }
  }
  return {};
}

}  // namespace lmp::compiler
