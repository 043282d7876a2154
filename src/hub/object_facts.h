// What the hub reads from a package's BPF ELF object without libbpf (the hub never links
// the loader): the type of each BTF-defined map (the `.maps` section) and the initial bytes
// of each global variable of the data sections, for `lmp run NAME -h`'s defaults.
// The object is untrusted input: every offset is bounds-checked, and anything unexpected
// yields fewer facts, never an error.
#pragma once

#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <vector>

namespace lmp::hub {

inline constexpr std::uint32_t kMapTypeRingbuf = 27;  // BPF_MAP_TYPE_RINGBUF

struct ObjectFacts {
  std::map<std::string, std::uint32_t> map_types;                   // map name -> BPF_MAP_TYPE_*
  std::map<std::string, std::vector<std::uint8_t>> initial_values;  // variable -> bytes
};

ObjectFacts read_object_facts(std::span<const std::uint8_t> elf);

// "hash", "ringbuf", ... for a BPF_MAP_TYPE_* value; "type N" when unknown.
std::string map_type_name(std::uint32_t type);

}  // namespace lmp::hub
