// The bpf_object field: base64 text of the zlib-compressed ELF object.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace lmp::package {

// Checks that `object` is an ELF file (32- or 64-bit, either byte order) for
// EM_BPF. Errors are kBadPackage and say what is wrong.
Result<void> check_bpf_elf(std::span<const uint8_t> object);

// base64 -> zlib -> ELF, checking that it inflates to exactly `size` bytes.
// `size` above kMaxBpfObjectBytes is refused before anything is decoded.
// Error messages start with "bpf_object: " or "bpf_object_size: ".
Result<std::vector<uint8_t>> decode_bpf_object(std::string_view base64_text, uint64_t size);

// The inverse of decode_bpf_object: zlib, then base64.
std::string encode_bpf_object(std::span<const uint8_t> object);

}  // namespace lmp::package
