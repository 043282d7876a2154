// Checks an untrusted eBPF object before libbpf parses it. Debian 12's libbpf (1.1.2) crashes
// on crafted objects (it trusts ids, offsets and indexes inside the file), so every object
// from a package or a WebAssembly guest passes check_object first: a little-endian 64-bit
// BPF ELF whose section headers, symbols and relocations stay inside the file and refer to
// sections and symbols that exist, whose .BTF is consistent (btf_check.h) and whose .BTF.ext
// points at instructions that exist. Linear in the object's size; no allocation larger than
// the object's own tables.
#pragma once

#include <cstdint>
#include <span>

#include "common/result.h"

namespace lmp::loader {

// Errors: kBadPackage "malformed eBPF object: WHAT".
Result<void> check_object(std::span<const uint8_t> elf);

}  // namespace lmp::loader
