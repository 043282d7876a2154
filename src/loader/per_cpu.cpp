#include "loader/per_cpu.h"

#include <bpf/btf.h>

#include <algorithm>
#include <cstring>

namespace lmp::loader {
namespace {

constexpr int kMaxDepth = 32;

bool all_zero(const uint8_t* p, std::size_t size) {
  return std::all_of(p, p + size, [](uint8_t b) { return b == 0; });
}

void add_uint(uint8_t* dst, const uint8_t* src, std::size_t size) {
  uint64_t a = 0, b = 0;
  std::memcpy(&a, dst, size);  // little and big endian alike: the low `size` bytes
  std::memcpy(&b, src, size);
  a += b;
  std::memcpy(dst, &a, size);
}

bool is_char(const btf_type* t) {
  return btf_is_int(t) && t->size == 1 && (btf_int_encoding(t) & (BTF_INT_CHAR | BTF_INT_BOOL));
}

// Keeps `dst` when it holds something; otherwise takes `src`.
void first_non_zero(uint8_t* dst, const uint8_t* src, std::size_t size) {
  if (all_zero(dst, size)) std::memcpy(dst, src, size);
}

void merge(const btf* btf, uint32_t id, uint8_t* dst, const uint8_t* src, std::size_t size,
           int depth) {
  const btf_type* t = nullptr;
  if (depth < kMaxDepth) {
    int resolved = btf__resolve_type(btf, id);
    if (resolved > 0) t = btf__type_by_id(btf, static_cast<uint32_t>(resolved));
  }
  if (t == nullptr) return first_non_zero(dst, src, size);
  if (btf_is_int(t) && !is_char(t) && btf_int_offset(t) == 0 && btf_int_bits(t) == t->size * 8 &&
      (t->size == 1 || t->size == 2 || t->size == 4 || t->size == 8) && t->size <= size)
    return add_uint(dst, src, t->size);
  if (btf_is_array(t)) {
    const struct btf_array* array = btf_array(t);
    const btf_type* elem = btf__type_by_id(btf, array->type);
    int64_t elem_size = btf__resolve_size(btf, array->type);
    int resolved = btf__resolve_type(btf, array->type);
    if (resolved > 0) elem = btf__type_by_id(btf, static_cast<uint32_t>(resolved));
    if (elem == nullptr || elem_size <= 0 || is_char(elem)) return first_non_zero(dst, src, size);
    for (uint32_t i = 0; i < array->nelems && (i + 1) * std::size_t(elem_size) <= size; ++i)
      merge(btf, array->type, dst + i * elem_size, src + i * elem_size, elem_size, depth + 1);
    return;
  }
  if (btf_is_struct(t)) {
    const btf_member* m = btf_members(t);
    for (uint16_t i = 0; i < btf_vlen(t); ++i, ++m) {
      uint32_t bit_offset = btf_member_bit_offset(t, i);
      int64_t member_size = btf__resolve_size(btf, m->type);
      if (member_size <= 0 || bit_offset % 8 != 0 || btf_member_bitfield_size(t, i) != 0) continue;
      std::size_t offset = bit_offset / 8;
      if (offset + std::size_t(member_size) > size) continue;
      merge(btf, m->type, dst + offset, src + offset, member_size, depth + 1);
    }
    // Bitfields and padding: the first CPU that has them.
    return;
  }
  if (btf_is_union(t) && btf_vlen(t) > 0) {
    int64_t member_size = btf__resolve_size(btf, btf_members(t)->type);
    if (member_size > 0 && std::size_t(member_size) <= size)
      return merge(btf, btf_members(t)->type, dst, src, member_size, depth + 1);
  }
  first_non_zero(dst, src, size);
}

}  // namespace

std::vector<uint8_t> merge_per_cpu(const btf* btf, uint32_t type_id,
                                   std::span<const uint8_t> values, std::size_t value_size,
                                   std::size_t stride) {
  std::vector<uint8_t> out(value_size, 0);
  if (stride < value_size || values.size() < value_size) return out;
  std::size_t cpus = values.size() / stride + (values.size() % stride >= value_size ? 1 : 0);
  std::memcpy(out.data(), values.data(), value_size);
  bool typed = btf != nullptr && type_id != 0;
  bool plain = value_size == 1 || value_size == 2 || value_size == 4 || value_size == 8;
  for (std::size_t cpu = 1; cpu < cpus; ++cpu) {
    const uint8_t* src = values.data() + cpu * stride;
    if (typed)
      merge(btf, type_id, out.data(), src, value_size, 0);
    else if (plain)
      add_uint(out.data(), src, value_size);
  }
  return out;
}

}  // namespace lmp::loader
