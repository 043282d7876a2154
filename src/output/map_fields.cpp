#include "output/map_fields.h"

#include "output/btf_util.h"

namespace lmp::output::detail {
namespace {

constexpr int kMaxNesting = 8;  // anonymous struct/union members inside each other

bool is_signed_type(const btf* btf, uint32_t type_id) {
  ResolvedType t = resolve_type(btf, type_id);
  if (t.type == nullptr) return false;
  if (btf_is_int(t.type)) return (btf_int_encoding(t.type) & BTF_INT_SIGNED) != 0;
  if (btf_is_enum(t.type) || btf_is_enum64(t.type)) return btf_kflag(t.type);
  return false;
}

// Whether the struct (or an anonymous member of it) has an address-family member.
bool has_family_member(const btf* btf, uint32_t type_id) {
  for (const std::string& name : member_names(btf, type_id))
    if (is_family_member(name)) return true;
  return false;
}

}  // namespace

MemberFormats MemberFormats::of(const btf* btf, uint32_t type_id) {
  MemberFormats formats;
  if (btf == nullptr || type_id == 0) return formats;
  ResolvedType t = resolve_type(btf, type_id);
  if (t.type == nullptr || !btf_is_composite(t.type)) return formats;
  formats.add_members(btf, t.id, 0, has_family_member(btf, t.id), 0);
  return formats;
}

void MemberFormats::add_members(const btf* btf, uint32_t type_id, uint32_t base, bool has_family,
                                int depth) {
  ResolvedType t = resolve_type(btf, type_id);
  if (t.type == nullptr || !btf_is_composite(t.type) || depth > kMaxNesting) return;
  const btf_member* m = btf_members(t.type);
  for (uint16_t i = 0; i < btf_vlen(t.type); ++i, ++m) {
    if (btf_member_bitfield_size(t.type, i) != 0) continue;
    uint32_t offset = base + btf_member_bit_offset(t.type, i) / 8;
    std::string name = name_of(btf, m->name_off);
    if (name.empty()) {
      add_members(btf, m->type, offset, has_family, depth + 1);
      continue;
    }
    int size = btf__resolve_size(btf, m->type);
    if (size <= 0) continue;
    ResolvedType member = resolve_type(btf, m->type);
    if (is_family_member(name) && member.type != nullptr && btf_is_int(member.type) &&
        (size == 1 || size == 2 || size == 4 || size == 8) && family_.size == 0)
      family_ = {offset, static_cast<uint32_t>(size)};
    ValueFormat format = infer_value_format(btf, name, m->type, has_family);
    if (format.kind == ValueKind::kRaw) continue;
    members_.push_back({std::move(name), offset, static_cast<uint32_t>(size),
                        is_signed_type(btf, m->type), std::move(format)});
  }
}

std::vector<DecodedMember> MemberFormats::decode(std::span<const uint8_t> bytes) const {
  std::vector<DecodedMember> decoded;
  std::optional<uint64_t> family;
  if (family_.size != 0 && family_.offset + family_.size <= bytes.size())
    family = load_uint(bytes.data() + family_.offset, family_.size);
  for (const Member& m : members_) {
    if (m.offset + m.size > bytes.size()) continue;
    auto text = format_value(m.format, bytes.subspan(m.offset, m.size), m.is_signed, family);
    if (!text) continue;
    decoded.push_back({m.name, decoded_key(m.format, m.name), std::move(*text)});
  }
  return decoded;
}

}  // namespace lmp::output::detail
