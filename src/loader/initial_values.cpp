#include "loader/initial_values.h"

#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include <cstring>
#include <optional>

namespace lmp::loader {

using package::parse_c_type;
using package::value_from_bytes;
namespace {

struct VariableSlot {
  bpf_map* map = nullptr;
  std::size_t offset = 0;
  std::size_t size = 0;
};

// Finds `variable` in the DATASEC named `section` and the internal map holding it.
Result<VariableSlot> find_slot(bpf_object* object, const std::string& section,
                               const std::string& variable) {
  const btf* btf = bpf_object__btf(object);
  if (!btf) return fail(ExitCode::kBadPackage, "the eBPF object has no BTF");
  int sec_id = btf__find_by_name_kind(btf, section.c_str(), BTF_KIND_DATASEC);
  if (sec_id < 0)
    return fail(ExitCode::kBadPackage, "section " + section + " is not in the eBPF object");
  bpf_map* map = nullptr;
  bpf_map* candidate = nullptr;
  bpf_object__for_each_map(candidate, object) {
    if (bpf_map__is_internal(candidate) &&
        bpf_map__btf_value_type_id(candidate) == static_cast<__u32>(sec_id)) {
      map = candidate;
      break;
    }
  }
  if (!map)
    return fail(ExitCode::kBadPackage, "section " + section + " has no map in the eBPF object");
  const btf_type* sec = btf__type_by_id(btf, static_cast<__u32>(sec_id));
  const btf_var_secinfo* info = btf_var_secinfos(sec);
  for (unsigned i = 0; i < btf_vlen(sec); ++i, ++info) {
    const btf_type* var = btf__type_by_id(btf, info->type);
    if (!var || std::strcmp(btf__name_by_offset(btf, var->name_off), variable.c_str()) != 0)
      continue;
    return VariableSlot{map, info->offset, info->size};
  }
  return fail(ExitCode::kBadPackage,
              "variable " + variable + " is not in section " + section + " of the eBPF object");
}

}  // namespace

Result<void> apply_initial_values(bpf_object* object, std::span<const Assignment> assignments) {
  for (const auto& assignment : assignments) {
    auto where = "variable " + assignment.variable;
    auto slot = find_slot(object, assignment.section, assignment.variable);
    if (!slot) return std::unexpected(std::move(slot.error()));
    // The size from the package is checked against the object before anything is allocated.
    if (assignment.value.type.size != slot->size)
      return fail(ExitCode::kBadPackage,
                  where + ": the package says " + assignment.value.type.text + " (" +
                      std::to_string(assignment.value.type.size) + " bytes) but the object has " +
                      std::to_string(slot->size) + " bytes",
                  "rebuild the package with lmp build");
    std::vector<uint8_t> bytes = assignment.value.to_bytes();
    std::size_t size = 0;
    const void* image = bpf_map__initial_value(slot->map, &size);
    if (!image || slot->offset + slot->size > size)
      return fail(ExitCode::kBadPackage, where + ": outside its section's data");
    // The image is the mmap-ed section data libbpf copies into the map at load
    // (what skeletons write through skel->rodata).
    std::memcpy(static_cast<uint8_t*>(const_cast<void*>(image)) + slot->offset, bytes.data(),
                bytes.size());
  }
  return {};
}

ObjectDefaults read_object_defaults(bpf_object* object, const package::Meta& meta) {
  ObjectDefaults defaults;
  for (const auto& section : meta.bpf_skel.data_sections) {
    for (const auto& variable : section.variables) {
      auto type = parse_c_type(variable.type);
      if (!type) continue;
      auto slot = find_slot(object, section.name, variable.name);
      if (!slot || slot->size != type->size) continue;
      std::size_t size = 0;
      const void* image = bpf_map__initial_value(slot->map, &size);
      if (!image || slot->offset + slot->size > size) continue;
      const auto* base = static_cast<const uint8_t*>(image) + slot->offset;
      defaults.insert_or_assign(variable.name,
                                value_from_bytes(*type, std::span(base, slot->size)));
    }
  }
  return defaults;
}

}  // namespace lmp::loader
