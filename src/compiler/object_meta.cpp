#include "compiler/object_meta.h"

#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include <cerrno>
#include <cstring>
#include <set>

#include "common/log.h"
#include "compiler/btf_text.h"
#include "compiler/global_writes.h"
#include "compiler/str_cat.h"
#include "package/c_value.h"

namespace lmp::compiler {
namespace {

bool is_data_section(std::string_view name) {
  for (std::string_view base : {".rodata", ".data", ".bss"}) {
    if (name == base || (name.starts_with(base) && name[base.size()] == '.')) return true;
  }
  return false;
}

}  // namespace

void BpfObjectDeleter::operator()(bpf_object* obj) const {
  bpf_object__close(obj);
}

Result<BpfObjectPtr> open_bpf_object(std::span<const uint8_t> elf, const std::string& name) {
  LIBBPF_OPTS(bpf_object_open_opts, opts, .object_name = name.c_str());
  errno = 0;
  BpfObjectPtr obj(bpf_object__open_mem(elf.data(), elf.size(), &opts));
  if (!obj) {
    int err = errno ? errno : EINVAL;
    return fail(ExitCode::kBuild,
                str_cat("libbpf cannot open the compiled object: ", std::strerror(err)),
                "run with -v to see libbpf's messages");
  }
  return obj;
}

std::vector<package::DataSection> read_data_sections(const btf* b) {
  std::vector<package::DataSection> sections;
  uint32_t count = btf__type_cnt(b);
  for (uint32_t id = 1; id < count; ++id) {
    const btf_type* t = btf__type_by_id(b, id);
    if (!btf_is_datasec(t)) continue;
    std::string name = btf__name_by_offset(b, t->name_off);
    if (!is_data_section(name)) continue;
    package::DataSection section{name, {}};
    const btf_var_secinfo* info = btf_var_secinfos(t);
    for (uint16_t i = 0; i < btf_vlen(t); ++i) {
      const btf_type* var = btf__type_by_id(b, info[i].type);
      if (!var || !btf_is_var(var) || btf_var(var)->linkage != BTF_VAR_GLOBAL_ALLOCATED) continue;
      package::Variable v;
      v.name = btf__name_by_offset(b, var->name_off);
      v.type = btf_type_text(b, var->type);
      section.variables.push_back(std::move(v));
    }
    if (!section.variables.empty()) sections.push_back(std::move(section));
  }
  return sections;
}

Result<package::ExportType> make_export_type(const btf* b, std::string_view name) {
  std::string key(name);
  int id = btf__find_by_name_kind(b, key.c_str(), BTF_KIND_STRUCT);
  if (id <= 0) {
    return fail(ExitCode::kBuild, str_cat("struct ", name, " is not in the object's BTF"),
                "the struct must be used by the eBPF code, or clang drops it");
  }
  const btf_type* t = btf__type_by_id(b, static_cast<uint32_t>(id));
  package::ExportType type;
  type.name = key;
  type.type_id = static_cast<uint32_t>(id);
  long long size = btf__resolve_size(b, static_cast<uint32_t>(id));
  type.size = size > 0 ? static_cast<uint32_t>(size) : 0;
  const btf_member* m = btf_members(t);
  for (uint16_t i = 0; i < btf_vlen(t); ++i) {
    type.members.push_back({btf__name_by_offset(b, m[i].name_off), btf_type_text(b, m[i].type), {}});
  }
  return type;
}

void mark_settings(std::vector<package::DataSection>& sections,
                   const std::set<std::string>& written) {
  for (auto& section : sections) {
    if (section.name.starts_with(".rodata")) continue;  // every .rodata global is an option
    for (auto& v : section.variables) {
      if (v.cmdarg || written.contains(v.name) || !package::parse_c_type(v.type)) continue;
      v.cmdarg.emplace();
    }
  }
}

Result<ObjectSummary> describe_object(bpf_object* obj, const std::string& obj_name,
                                      std::span<const uint8_t> elf) {
  ObjectSummary out;
  out.skel.obj_name = obj_name;
  bpf_program* prog = nullptr;
  bpf_object__for_each_program(prog, obj) {
    package::ProgInfo info;
    info.name = bpf_program__name(prog);
    info.attach = bpf_program__section_name(prog);
    info.link = true;
    out.skel.progs.push_back(std::move(info));
  }
  bpf_map* map = nullptr;
  bpf_object__for_each_map(map, obj) {
    if (bpf_map__is_internal(map)) continue;
    package::MapInfo info;
    info.name = bpf_map__name(map);
    info.ident = info.name;
    out.skel.maps.push_back(std::move(info));
    auto type = bpf_map__type(map);
    if (type == BPF_MAP_TYPE_RINGBUF || type == BPF_MAP_TYPE_PERF_EVENT_ARRAY) {
      out.has_event_output = true;
    }
  }
  const btf* b = bpf_object__btf(obj);
  if (!b) {
    return fail(ExitCode::kBuild, "the compiled object has no BTF",
                "compile with -g (lmp build does) and a clang that emits BTF");
  }
  out.skel.data_sections = read_data_sections(b);
  // Settings are a convenience: an object the analysis cannot read just gets none.
  if (auto written = written_globals(elf)) {
    mark_settings(out.skel.data_sections, *written);
  } else {
    log::debug("no .bss/.data settings: " + written.error().message);
  }
  return out;
}

}  // namespace lmp::compiler
