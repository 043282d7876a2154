// Structural checks of an object's .BTF and .BTF.ext sections before libbpf reads them.
// libbpf 1.1.2 (Debian 12's) checks only that BTF types have a known kind and fit their
// section; it then trusts every type id and string offset inside them, and crashes
// (a NULL btf_type dereferenced) on an object whose BTF names a type that does not exist.
// These checks are what newer libbpf and the kernel verify: every id and string offset in
// range, no cycle of type references, and well-formed .BTF.ext records.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace lmp::loader {

// What a checked .BTF section holds, for checking .BTF.ext against it.
struct BtfLayout {
  std::vector<uint8_t> kinds;        // kinds[id] for ids 0 (void) .. type count
  std::span<const uint8_t> strings;  // the string section, NUL first and last
  // The string at `offset`, or nullopt when the offset is outside the string section.
  std::optional<std::string_view> string_at(uint32_t offset) const;
};

// Checks a .BTF section (host byte order only). Errors: kBadPackage "malformed eBPF object:
// .BTF ...". The layout points into `section`, which must outlive it.
Result<BtfLayout> check_btf(std::span<const uint8_t> section);

// The size of the ELF section named `name`, or nullopt when the object has none.
using SectionSize = std::function<std::optional<uint64_t>(std::string_view name)>;

// Checks a .BTF.ext section: header, func_info, line_info and CO-RE relocation records
// (their sections exist and hold the instruction, type ids and strings are in `btf`).
Result<void> check_btf_ext(std::span<const uint8_t> section, const BtfLayout& btf,
                           const SectionSize& section_size);

}  // namespace lmp::loader
