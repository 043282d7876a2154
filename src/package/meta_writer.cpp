// to_json(Meta): the model back to eunomia-bpf's layout. Optional fields that
// are unset or empty are left out, so parse_meta(to_json(m)) == m.
#include "package/package.h"

namespace lmp::package {
namespace {

using nlohmann::json;

// Known fields are written after `extra` so an annotation cannot shadow them.
json with_extra(const json& extra) {
  return extra.is_object() ? extra : json::object();
}

void put_if_set(json& out, const char* key, const std::string& value) {
  if (!value.empty()) out[key] = value;
}

json to_json(const CmdArg& cmdarg) {
  json out = json::object();
  if (cmdarg.default_value) out["default"] = *cmdarg.default_value;
  put_if_set(out, "long", cmdarg.long_name);
  put_if_set(out, "short", cmdarg.short_name);
  put_if_set(out, "help", cmdarg.help);
  return out;
}

json to_json(const Variable& var) {
  json out = with_extra(var.extra);
  out["name"] = var.name;
  out["type"] = var.type;
  put_if_set(out, "description", var.description);
  if (var.cmdarg) out["cmdarg"] = to_json(*var.cmdarg);
  if (var.value) out["value"] = *var.value;
  return out;
}

json to_json(const DataSection& section) {
  json variables = json::array();
  for (const auto& var : section.variables) variables.push_back(to_json(var));
  return {{"name", section.name}, {"variables", std::move(variables)}};
}

json to_json(const Sample& sample) {
  json out = {{"interval", sample.interval_ms}, {"type", sample.type}};
  put_if_set(out, "unit", sample.unit);
  out["clear_map"] = sample.clear_map;
  return out;
}

json to_json(const MapInfo& map) {
  json out = with_extra(map.extra);
  out["name"] = map.name;
  out["ident"] = map.ident;
  if (map.mmaped) out["mmaped"] = *map.mmaped;
  if (map.sample) out["sample"] = to_json(*map.sample);
  if (!map.export_config.is_null()) out["export_config"] = map.export_config;
  return out;
}

json to_json(const ProgInfo& prog) {
  json out = with_extra(prog.extra);
  out["name"] = prog.name;
  out["attach"] = prog.attach;
  out["link"] = prog.link;
  return out;
}

json to_json(const Doc& doc) {
  json out = json::object();
  put_if_set(out, "version", doc.version);
  put_if_set(out, "brief", doc.brief);
  put_if_set(out, "details", doc.details);
  put_if_set(out, "description", doc.description);
  return out;
}

json to_json(const BpfSkel& skel) {
  json sections = json::array();
  for (const auto& section : skel.data_sections) sections.push_back(to_json(section));
  json maps = json::array();
  for (const auto& map : skel.maps) maps.push_back(to_json(map));
  json progs = json::array();
  for (const auto& prog : skel.progs) progs.push_back(to_json(prog));
  json out = {{"obj_name", skel.obj_name},
              {"data_sections", std::move(sections)},
              {"maps", std::move(maps)},
              {"progs", std::move(progs)}};
  if (skel.doc) out["doc"] = to_json(*skel.doc);
  return out;
}

json to_json(const ExportType& type) {
  json members = json::array();
  for (const auto& member : type.members) {
    json m = {{"name", member.name}, {"type", member.type}};
    if (!member.format.empty()) m["format"] = member.format;
    members.push_back(std::move(m));
  }
  return {{"name", type.name},
          {"size", type.size},
          {"type_id", type.type_id},
          {"members", std::move(members)}};
}

}  // namespace

json to_json(const Meta& meta) {
  json export_types = json::array();
  for (const auto& type : meta.export_types) export_types.push_back(to_json(type));
  return {{"bpf_skel", to_json(meta.bpf_skel)},
          {"export_types", std::move(export_types)},
          {"eunomia_version", meta.eunomia_version},
          {"perf_buffer_pages", meta.perf_buffer_pages},
          {"perf_buffer_time_ms", meta.perf_buffer_time_ms},
          {"poll_timeout_ms", meta.poll_timeout_ms},
          {"debug_verbose", meta.debug_verbose},
          {"print_header", meta.print_header},
          {"enable_multiple_export_types", meta.enable_multiple_export_types}};
}

}  // namespace lmp::package
