// parse_meta: validates the `meta` object into the model, naming the JSON path
// of the first field that is wrong.
#include <string>
#include <string_view>

#include "package/json_field.h"
#include "package/package.h"

namespace lmp::package {
namespace {

using nlohmann::json;

// Keys of a variable, map or program that have fields of their own; the rest go to `extra`.
bool is_known(std::string_view key, std::initializer_list<std::string_view> known) {
  for (auto k : known) {
    if (k == key) return true;
  }
  return false;
}

Result<CmdArg> parse_cmdarg(const json& value, const std::string& path) {
  LMP_CHECK(expect_object(value, path));
  CmdArg cmdarg;
  if (auto it = value.find("default"); it != value.end() && !it->is_null()) {
    cmdarg.default_value = *it;
  }
  LMP_CHECK(read_string(value, path, "long", cmdarg.long_name));
  LMP_CHECK(read_string(value, path, "short", cmdarg.short_name));
  LMP_CHECK(read_string(value, path, "help", cmdarg.help));
  if (cmdarg.short_name.size() > 1) {
    return field_error(path_key(path, "short"),
                       "expected a single character, got \"" + cmdarg.short_name + "\"");
  }
  return cmdarg;
}

Result<Variable> parse_variable(const json& value, const std::string& path) {
  LMP_CHECK(expect_object(value, path));
  Variable var;
  LMP_CHECK(read_string(value, path, "name", var.name, Need::kRequired));
  LMP_CHECK(read_string(value, path, "type", var.type, Need::kRequired));
  LMP_CHECK(read_string(value, path, "description", var.description));
  if (auto it = value.find("cmdarg"); it != value.end() && !it->is_null()) {
    var.cmdarg = LMP_TRY(parse_cmdarg(*it, path_key(path, "cmdarg")));
  }
  if (auto it = value.find("value"); it != value.end() && !it->is_null()) var.value = *it;
  for (const auto& [key, item] : value.items()) {
    // `size` is layout padding written by some compilers; it carries no meaning.
    if (!is_known(key, {"name", "type", "description", "cmdarg", "value", "size"})) {
      var.extra[key] = item;
    }
  }
  return var;
}

Result<DataSection> parse_data_section(const json& value, const std::string& path) {
  LMP_CHECK(expect_object(value, path));
  DataSection section;
  LMP_CHECK(read_string(value, path, "name", section.name, Need::kRequired));
  const json* variables = LMP_TRY(find_array(value, path, "variables"));
  if (variables == nullptr) return section;
  std::string base = path_key(path, "variables");
  for (std::size_t i = 0; i < variables->size(); ++i) {
    Variable var = LMP_TRY(parse_variable((*variables)[i], path_index(base, i)));
    // A name seen before is redefined: the last definition wins, in the first one's place.
    bool replaced = false;
    for (auto& existing : section.variables) {
      if (existing.name == var.name) {
        existing = std::move(var);
        replaced = true;
        break;
      }
    }
    if (!replaced) section.variables.push_back(std::move(var));
  }
  return section;
}

Result<Sample> parse_sample(const json& value, const std::string& path) {
  LMP_CHECK(expect_object(value, path));
  Sample sample;
  if (auto it = value.find("interval"); it != value.end() && !it->is_null()) {
    bool positive =
        (it->is_number_unsigned() && it->get<uint64_t>() > 0 &&
         it->get<uint64_t>() <= UINT32_MAX) ||
        (it->is_number_integer() && it->get<int64_t>() > 0 && it->get<int64_t>() <= UINT32_MAX);
    if (!positive) {
      return field_error(path_key(path, "interval"), "expected a positive integer (milliseconds)");
    }
    sample.interval_ms = static_cast<uint32_t>(it->get<uint64_t>());
  }
  LMP_CHECK(read_string(value, path, "type", sample.type));
  if (sample.type != "log2_hist" && sample.type != "linear_hist" && sample.type != "default_kv") {
    return field_error(path_key(path, "type"),
                       "expected one of log2_hist, linear_hist, "
                       "default_kv, got \"" +
                           sample.type + "\"");
  }
  LMP_CHECK(read_string(value, path, "unit", sample.unit));
  LMP_CHECK(read_bool(value, path, "clear_map", sample.clear_map));
  return sample;
}

Result<MapInfo> parse_map(const json& value, const std::string& path) {
  LMP_CHECK(expect_object(value, path));
  MapInfo map;
  LMP_CHECK(read_string(value, path, "name", map.name, Need::kRequired));
  map.ident = map.name;  // older packages may leave out the C identifier
  LMP_CHECK(read_string(value, path, "ident", map.ident));
  if (auto it = value.find("mmaped"); it != value.end() && !it->is_null()) {
    bool mmaped = false;
    LMP_CHECK(read_bool(value, path, "mmaped", mmaped));
    map.mmaped = mmaped;
  }
  if (auto it = value.find("sample"); it != value.end() && !it->is_null()) {
    map.sample = LMP_TRY(parse_sample(*it, path_key(path, "sample")));
  }
  if (auto it = value.find("export_config"); it != value.end()) map.export_config = *it;
  for (const auto& [key, item] : value.items()) {
    if (!is_known(key, {"name", "ident", "mmaped", "sample", "export_config"})) {
      map.extra[key] = item;
    }
  }
  return map;
}

Result<ProgInfo> parse_prog(const json& value, const std::string& path) {
  LMP_CHECK(expect_object(value, path));
  ProgInfo prog;
  LMP_CHECK(read_string(value, path, "name", prog.name, Need::kRequired));
  LMP_CHECK(read_string(value, path, "attach", prog.attach, Need::kRequired));
  LMP_CHECK(read_bool(value, path, "link", prog.link));
  for (const auto& [key, item] : value.items()) {
    if (!is_known(key, {"name", "attach", "link"})) prog.extra[key] = item;
  }
  return prog;
}

// Doc fields come from free text after @brief/@version/...; a value that
// happened to be valid JSON (`@version 1.0`) is kept as its text.
Result<void> read_doc_text(const json& doc, const std::string& path, std::string_view key,
                           std::string& out) {
  auto it = doc.find(key);
  if (it == doc.end() || it->is_null()) return {};
  if (it->is_string()) {
    out = it->get<std::string>();
  } else if (it->is_primitive()) {
    out = it->dump();
  } else {
    return field_error(path_key(path, key), "expected a string");
  }
  return {};
}

Result<Doc> parse_doc(const json& value, const std::string& path) {
  LMP_CHECK(expect_object(value, path));
  Doc doc;
  LMP_CHECK(read_doc_text(value, path, "version", doc.version));
  LMP_CHECK(read_doc_text(value, path, "brief", doc.brief));
  LMP_CHECK(read_doc_text(value, path, "details", doc.details));
  LMP_CHECK(read_doc_text(value, path, "description", doc.description));
  return doc;
}

// Parses each element of the array at `key` (missing or null: none) with `parse`.
template <typename T, typename Parse>
Result<std::vector<T>> parse_list(const json& object, const std::string& path, std::string_view key,
                                  Parse parse) {
  std::vector<T> out;
  const json* array = LMP_TRY(find_array(object, path, key));
  if (array == nullptr) return out;
  std::string base = path_key(path, key);
  out.reserve(array->size());
  for (std::size_t i = 0; i < array->size(); ++i) {
    out.push_back(LMP_TRY(parse((*array)[i], path_index(base, i))));
  }
  return out;
}

Result<BpfSkel> parse_bpf_skel(const json& value, const std::string& path) {
  LMP_CHECK(expect_object(value, path));
  BpfSkel skel;
  LMP_CHECK(read_string(value, path, "obj_name", skel.obj_name, Need::kRequired));
  skel.data_sections =
      LMP_TRY(parse_list<DataSection>(value, path, "data_sections", parse_data_section));
  skel.maps = LMP_TRY(parse_list<MapInfo>(value, path, "maps", parse_map));
  skel.progs = LMP_TRY(parse_list<ProgInfo>(value, path, "progs", parse_prog));
  if (auto it = value.find("doc"); it != value.end() && !it->is_null()) {
    skel.doc = LMP_TRY(parse_doc(*it, path_key(path, "doc")));
  }
  return skel;
}

Result<ExportMember> parse_export_member(const json& value, const std::string& path) {
  LMP_CHECK(expect_object(value, path));
  ExportMember member;
  LMP_CHECK(read_string(value, path, "name", member.name, Need::kRequired));
  LMP_CHECK(read_string(value, path, "type", member.type));
  LMP_CHECK(read_string(value, path, "format", member.format));
  return member;
}

Result<ExportType> parse_export_type(const json& value, const std::string& path) {
  LMP_CHECK(expect_object(value, path));
  ExportType type;
  LMP_CHECK(read_string(value, path, "name", type.name, Need::kRequired));
  LMP_CHECK(read_u32(value, path, "size", type.size, Need::kRequired));
  LMP_CHECK(read_u32(value, path, "type_id", type.type_id, Need::kRequired));
  type.members = LMP_TRY(parse_list<ExportMember>(value, path, "members", parse_export_member));
  return type;
}

}  // namespace

Result<Meta> parse_meta(const json& value) {
  const std::string path = "meta";
  LMP_CHECK(expect_object(value, path));
  Meta meta;
  const json* skel = LMP_TRY(find_object(value, path, "bpf_skel", Need::kRequired));
  meta.bpf_skel = LMP_TRY(parse_bpf_skel(*skel, path_key(path, "bpf_skel")));
  meta.export_types =
      LMP_TRY(parse_list<ExportType>(value, path, "export_types", parse_export_type));
  LMP_CHECK(read_string(value, path, "eunomia_version", meta.eunomia_version));
  LMP_CHECK(read_u32(value, path, "perf_buffer_pages", meta.perf_buffer_pages));
  LMP_CHECK(read_u32(value, path, "perf_buffer_time_ms", meta.perf_buffer_time_ms));
  LMP_CHECK(read_u32(value, path, "poll_timeout_ms", meta.poll_timeout_ms));
  LMP_CHECK(read_bool(value, path, "debug_verbose", meta.debug_verbose));
  LMP_CHECK(read_bool(value, path, "print_header", meta.print_header));
  LMP_CHECK(
      read_bool(value, path, "enable_multiple_export_types", meta.enable_multiple_export_types));
  return meta;
}

}  // namespace lmp::package
