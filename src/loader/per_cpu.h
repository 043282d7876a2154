// Folding the per-CPU copies of a map value into one, so a per-CPU counter or histogram
// shows the whole machine rather than CPU 0.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

struct btf;

namespace lmp::loader {

// `values` holds one copy per possible CPU, each `stride` bytes apart (the kernel rounds a
// per-CPU value up to 8 bytes); the result is `value_size` bytes. With the value's BTF type
// (`btf` and `type_id` non-zero), integers are summed member by member (through structs,
// unions' first member and arrays); chars, char arrays, enums, floats, pointers and
// bitfields take the first CPU's non-zero value. Without BTF, a value of 1, 2, 4 or 8 bytes
// is summed as an unsigned integer and anything else is CPU 0's copy.
std::vector<uint8_t> merge_per_cpu(const btf* btf, uint32_t type_id,
                                   std::span<const uint8_t> values, std::size_t value_size,
                                   std::size_t stride);

}  // namespace lmp::loader
