#include "output/map_layout.h"

#include <optional>

#include "output/btf_util.h"

namespace lmp::output::detail {
namespace {

// An integer array usable as histogram slots, or nullopt.
std::optional<SlotLayout> slot_array(const btf* btf, uint32_t type_id) {
  ResolvedType t = resolve_type(btf, type_id);
  if (t.type == nullptr || !btf_is_array(t.type) || is_char_array(btf, t.type)) return {};
  ResolvedType elem = resolve_type(btf, btf_array(t.type)->type);
  if (elem.type == nullptr || !btf_is_int(elem.type) || !is_plain_int(elem.type)) return {};
  uint32_t size = elem.type->size;
  if (size != 1 && size != 2 && size != 4 && size != 8) return {};
  return SlotLayout{0, size, btf_array(t.type)->nelems,
                    (btf_int_encoding(elem.type) & BTF_INT_SIGNED) != 0, ""};
}

}  // namespace

Result<SlotLayout> find_slots(const btf* btf, uint32_t value_type_id, const std::string& map) {
  if (auto direct = slot_array(btf, value_type_id)) return *direct;
  ResolvedType v = resolve_type(btf, value_type_id);
  std::optional<SlotLayout> found;
  if (v.type != nullptr && btf_is_composite(v.type)) {
    const btf_member* m = btf_members(v.type);
    for (uint16_t i = 0; i < btf_vlen(v.type); ++i, ++m) {
      auto slots = slot_array(btf, m->type);
      if (!slots || btf_member_bitfield_size(v.type, i) != 0) continue;
      slots->offset = btf_member_bit_offset(v.type, i) / 8;
      slots->member = name_of(btf, m->name_off);
      if (slots->member == "slots") return *slots;
      if (!found) found = slots;
    }
  }
  if (found) return *found;
  return fail(ExitCode::kBadPackage,
              "map " + map + ": a histogram needs a value that is, or holds, an integer array",
              "declare the value as e.g. struct hist { u32 slots[26]; }");
}

}  // namespace lmp::output::detail
