#include "hub/package_details.h"

#include <algorithm>
#include <utility>

#include "hub/object_facts.h"
#include "package/program_options.h"

namespace lmp::hub {
namespace {

using nlohmann::json;

// Section prefixes (libbpf's names) and the program type the store files them under.
constexpr std::pair<std::string_view, std::string_view> kTypes[] = {
    {"tp", "tracepoint"},
    {"tracepoint", "tracepoint"},
    {"raw_tp", "raw_tracepoint"},
    {"raw_tracepoint", "raw_tracepoint"},
    {"raw_tp.w", "raw_tracepoint"},
    {"raw_tracepoint.w", "raw_tracepoint"},
    {"tp_btf", "tp_btf"},
    {"kprobe", "kprobe"},
    {"kretprobe", "kprobe"},
    {"kprobe.multi", "kprobe"},
    {"kretprobe.multi", "kprobe"},
    {"ksyscall", "kprobe"},
    {"kretsyscall", "kprobe"},
    {"uprobe", "uprobe"},
    {"uretprobe", "uprobe"},
    {"uprobe.s", "uprobe"},
    {"uretprobe.s", "uprobe"},
    {"uprobe.multi", "uprobe"},
    {"uretprobe.multi", "uprobe"},
    {"usdt", "usdt"},
    {"fentry", "fentry"},
    {"fexit", "fentry"},
    {"fentry.s", "fentry"},
    {"fexit.s", "fentry"},
    {"fmod_ret", "fmod_ret"},
    {"fmod_ret.s", "fmod_ret"},
    {"freplace", "freplace"},
    {"lsm", "lsm"},
    {"lsm.s", "lsm"},
    {"lsm_cgroup", "lsm"},
    {"xdp", "xdp"},
    {"xdp.frags", "xdp"},
    {"tc", "tc"},
    {"tcx", "tc"},
    {"classifier", "tc"},
    {"action", "tc"},
    {"netkit", "tc"},
    {"socket", "socket_filter"},
    {"sockops", "sockops"},
    {"sk_skb", "sk_skb"},
    {"sk_msg", "sk_msg"},
    {"sk_lookup", "sk_lookup"},
    {"sk_reuseport", "sk_reuseport"},
    {"sk_reuseport.migrate", "sk_reuseport"},
    {"flow_dissector", "flow_dissector"},
    {"perf_event", "perf_event"},
    {"iter", "iter"},
    {"iter.s", "iter"},
    {"struct_ops", "struct_ops"},
    {"struct_ops.s", "struct_ops"},
    {"syscall", "syscall"},
    {"lwt_in", "lwt"},
    {"lwt_out", "lwt"},
    {"lwt_xmit", "lwt"},
    {"lwt_seg6local", "lwt"},
    {"netfilter", "netfilter"},
};

json program_json(const package::ProgInfo& prog) {
  return {{"name", prog.name}, {"attach", prog.attach}, {"type", program_type(prog.attach)}};
}

json option_json(const package::ProgramOption& option) {
  return {{"long", option.long_name},
          {"short", option.short_name ? std::string(1, option.short_name) : std::string()},
          {"type", option.type.text},
          {"default", option.shown_default.to_string()},
          {"help", option.help}};
}

}  // namespace

std::string program_type(std::string_view attach) {
  std::string_view prefix = attach.substr(0, attach.find('/'));
  for (const auto& [section, type] : kTypes)
    if (prefix == section) return std::string(type);
  if (prefix.starts_with("cgroup")) return "cgroup";
  return "other";
}

Result<PackageDetails> describe_package(const package::Package& package, const std::string& name) {
  const package::Meta& meta = package.meta;
  ObjectFacts facts = read_object_facts(package.bpf_object);

  package::ObjectDefaults defaults;
  for (const package::DataSection& section : meta.bpf_skel.data_sections) {
    for (const package::Variable& variable : section.variables) {
      auto bytes = facts.initial_values.find(variable.name);
      auto type = package::parse_c_type(variable.type);
      if (bytes == facts.initial_values.end() || !type) continue;
      defaults[variable.name] = package::value_from_bytes(*type, bytes->second);
    }
  }
  auto options = package::ProgramOptions::create(meta, name, defaults);
  if (!options) return std::unexpected(std::move(options.error()).context("package.json"));

  PackageDetails details;
  json programs = json::array();
  for (const package::ProgInfo& prog : meta.bpf_skel.progs) {
    programs.push_back(program_json(prog));
    details.program_types.push_back(program_type(prog.attach));
  }
  std::sort(details.program_types.begin(), details.program_types.end());
  details.program_types.erase(
      std::unique(details.program_types.begin(), details.program_types.end()),
      details.program_types.end());

  bool ring_buffer = false;
  json maps = json::array();
  for (const package::MapInfo& map : meta.bpf_skel.maps) {
    if (map.name.find('.') != std::string::npos) continue;  // .rodata/.bss images, not maps
    json entry = {{"name", map.name}};
    if (auto type = facts.map_types.find(map.name); type != facts.map_types.end()) {
      entry["type"] = map_type_name(type->second);
      ring_buffer = ring_buffer || type->second == kMapTypeRingbuf;
    }
    if (map.sample) entry["sample"] = map.sample->type;
    maps.push_back(std::move(entry));
  }
  json option_list = json::array();
  for (const package::ProgramOption& option : options->options())
    option_list.push_back(option_json(option));

  details.json = {{"programs", std::move(programs)},
                  {"maps", std::move(maps)},
                  {"options", std::move(option_list)},
                  {"help_text", options->help_text()},
                  {"requirements", {{"btf", true}, {"ring_buffer", ring_buffer}}}};
  return details;
}

PackageDetails describe_wasm_only() {
  PackageDetails details;
  details.json = {{"programs", json::array()},
                  {"maps", json::array()},
                  {"options", json::array()},
                  {"help_text", ""},
                  {"requirements", {{"btf", true}, {"ring_buffer", false}}}};
  return details;
}

}  // namespace lmp::hub
