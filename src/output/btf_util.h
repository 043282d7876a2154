// Internal helpers over libbpf's BTF accessors, shared by the decoder and the printers.
// Not part of the module's public API (see output.h).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include <bpf/btf.h>

namespace lmp::output::detail {

// A type after typedefs and const/volatile/restrict/type_tag modifiers were skipped.
struct ResolvedType {
  const btf_type* type = nullptr;  // nullptr: bad id, or the chain loops / is too long
  uint32_t id = 0;
  bool via_byte_typedef = false;  // a typedef named like u8/__u8/uint8_t/s8 was on the way
};

// Follows typedefs and modifiers from `id` to the first other type.
ResolvedType resolve_type(const btf* btf, uint32_t id);

// Kind name for messages ("struct", "ptr", ...).
const char* kind_name(const btf_type* type);

// Name of a type or member name offset; "" when anonymous.
std::string name_of(const btf* btf, uint32_t name_off);

// True when `array` (an ARRAY type) holds C characters: the element resolves to a 1-byte int
// named char / signed char / unsigned char or with BTF_INT_CHAR encoding, and no byte typedef
// (u8, __u8, uint8_t, s8, ...) was crossed -- those are byte buffers and print as arrays.
bool is_char_array(const btf* btf, const btf_type* array);

// True when an INT type is a plain whole-bytes integer (no bit offset, all bits used).
bool is_plain_int(const btf_type* int_type);

// Loads a host-endian unsigned integer of `size` 1, 2, 4 or 8 bytes from `p` (unaligned ok).
uint64_t load_uint(const uint8_t* p, uint32_t size);

// Sign-extends the low `bits` (1..64) of `value`.
int64_t sign_extend(uint64_t value, uint32_t bits);

// Reads `bit_size` (1..64) bits starting `bit_offset` bits into `bytes`, in the little-endian
// bit order BTF uses on x86/arm64. Caller guarantees the bits lie inside `bytes`.
uint64_t extract_bits(std::span<const uint8_t> bytes, uint32_t bit_offset, uint32_t bit_size);

// Enumerators of an ENUM or ENUM64 type, for printing values by name.
struct EnumTable {
  uint32_t size = 4;  // bytes
  bool is_signed = false;
  std::vector<std::pair<uint64_t, std::string>> values;  // value masked to `size` bytes

  // Name for a raw value (masked to `size`), or nullptr when no enumerator matches.
  const std::string* find(uint64_t raw) const;
};
EnumTable enum_table(const btf* btf, const btf_type* enum_type);

// Member names of a struct/union in declaration order, anonymous struct/union members
// flattened (the order decode_value's objects lose, as nlohmann::json sorts keys). Empty when
// `type_id` is not a struct or union.
std::vector<std::string> member_names(const btf* btf, uint32_t type_id);

// Looks up a struct or union by name; 0 when none.
uint32_t find_composite_by_name(const btf* btf, const std::string& name);

}  // namespace lmp::output::detail
