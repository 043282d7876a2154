#include "output/btf_util.h"

#include <cstring>
#include <string_view>

namespace lmp::output::detail {
namespace {

constexpr int kMaxChain = 64;

bool is_byte_typedef_name(std::string_view name) {
  return name == "u8" || name == "__u8" || name == "uint8_t" || name == "s8" || name == "__s8" ||
         name == "int8_t" || name == "u_int8_t" || name == "byte";
}

uint64_t mask_to(uint64_t value, uint32_t size) {
  return size >= 8 ? value : value & ((uint64_t{1} << (size * 8)) - 1);
}

}  // namespace

ResolvedType resolve_type(const btf* btf, uint32_t id) {
  ResolvedType resolved;
  for (int i = 0; i < kMaxChain; ++i) {
    const btf_type* t = btf__type_by_id(btf, id);
    if (t == nullptr) return {};
    if (btf_is_typedef(t)) {
      if (is_byte_typedef_name(name_of(btf, t->name_off))) resolved.via_byte_typedef = true;
    } else if (!btf_is_mod(t)) {
      resolved.type = t;
      resolved.id = id;
      return resolved;
    }
    id = t->type;
  }
  return {};
}

const char* kind_name(const btf_type* type) {
  switch (btf_kind(type)) {
    case BTF_KIND_UNKN:
      return "void";
    case BTF_KIND_INT:
      return "int";
    case BTF_KIND_PTR:
      return "ptr";
    case BTF_KIND_ARRAY:
      return "array";
    case BTF_KIND_STRUCT:
      return "struct";
    case BTF_KIND_UNION:
      return "union";
    case BTF_KIND_ENUM:
      return "enum";
    case BTF_KIND_FWD:
      return "fwd";
    case BTF_KIND_TYPEDEF:
      return "typedef";
    case BTF_KIND_FUNC:
      return "func";
    case BTF_KIND_FUNC_PROTO:
      return "func_proto";
    case BTF_KIND_VAR:
      return "var";
    case BTF_KIND_DATASEC:
      return "datasec";
    case BTF_KIND_FLOAT:
      return "float";
#ifdef BTF_KIND_ENUM64
    case BTF_KIND_ENUM64:
      return "enum64";
#endif
    default:
      return "unknown kind";
  }
}

std::string name_of(const btf* btf, uint32_t name_off) {
  const char* name = btf__name_by_offset(btf, name_off);
  return name != nullptr ? std::string(name) : std::string();
}

bool is_char_array(const btf* btf, const btf_type* array) {
  if (!btf_is_array(array)) return false;
  ResolvedType elem = resolve_type(btf, btf_array(array)->type);
  if (elem.type == nullptr || elem.via_byte_typedef || !btf_is_int(elem.type) ||
      elem.type->size != 1)
    return false;
  if (btf_int_encoding(elem.type) & BTF_INT_CHAR) return true;
  std::string name = name_of(btf, elem.type->name_off);
  return name == "char" || name == "signed char" || name == "unsigned char";
}

bool is_plain_int(const btf_type* int_type) {
  return btf_int_offset(int_type) == 0 && btf_int_bits(int_type) == int_type->size * 8;
}

uint64_t load_uint(const uint8_t* p, uint32_t size) {
  switch (size) {
    case 1:
      return *p;
    case 2: {
      uint16_t v;
      std::memcpy(&v, p, 2);
      return v;
    }
    case 4: {
      uint32_t v;
      std::memcpy(&v, p, 4);
      return v;
    }
    default: {
      uint64_t v;
      std::memcpy(&v, p, 8);
      return v;
    }
  }
}

int64_t sign_extend(uint64_t value, uint32_t bits) {
  if (bits >= 64) return static_cast<int64_t>(value);
  uint64_t sign = uint64_t{1} << (bits - 1);
  value &= (uint64_t{1} << bits) - 1;
  return static_cast<int64_t>((value ^ sign) - sign);
}

uint64_t extract_bits(std::span<const uint8_t> bytes, uint32_t bit_offset, uint32_t bit_size) {
  uint32_t first = bit_offset / 8;
  uint32_t shift = bit_offset % 8;
  uint32_t count = (shift + bit_size + 7) / 8;  // at most 9 bytes
  unsigned __int128 acc = 0;
  for (uint32_t i = 0; i < count; ++i)
    acc |= static_cast<unsigned __int128>(bytes[first + i]) << (8 * i);
  acc >>= shift;
  uint64_t v = static_cast<uint64_t>(acc);
  return bit_size >= 64 ? v : v & ((uint64_t{1} << bit_size) - 1);
}

const std::string* EnumTable::find(uint64_t raw) const {
  raw = mask_to(raw, size);
  for (const auto& [value, name] : values)
    if (value == raw) return &name;
  return nullptr;
}

EnumTable enum_table(const btf* btf, const btf_type* enum_type) {
  EnumTable table;
  table.size = enum_type->size;
  table.is_signed = btf_kflag(enum_type);
  uint16_t n = btf_vlen(enum_type);
  if (btf_is_enum(enum_type)) {
    const struct btf_enum* e = btf_enum(enum_type);
    for (uint16_t i = 0; i < n; ++i) {
      uint64_t v = static_cast<uint64_t>(static_cast<int64_t>(e[i].val));  // sign-extended s32
      table.values.emplace_back(mask_to(v, table.size), name_of(btf, e[i].name_off));
    }
  }
#ifdef BTF_KIND_ENUM64
  if (btf_is_enum64(enum_type)) {
    const struct btf_enum64* e = btf_enum64(enum_type);
    for (uint16_t i = 0; i < n; ++i)
      table.values.emplace_back(mask_to(btf_enum64_value(e + i), table.size),
                                name_of(btf, e[i].name_off));
  }
#endif
  return table;
}

std::vector<std::string> member_names(const btf* btf, uint32_t type_id) {
  std::vector<std::string> names;
  ResolvedType r = resolve_type(btf, type_id);
  if (r.type == nullptr || !btf_is_composite(r.type)) return names;
  const btf_member* m = btf_members(r.type);
  for (uint16_t i = 0; i < btf_vlen(r.type); ++i, ++m) {
    std::string name = name_of(btf, m->name_off);
    if (name.empty()) {
      for (std::string& inner : member_names(btf, m->type)) names.push_back(std::move(inner));
    } else {
      names.push_back(std::move(name));
    }
  }
  return names;
}

uint32_t find_composite_by_name(const btf* btf, const std::string& name) {
  uint32_t n = btf__type_cnt(btf);
  for (uint32_t id = 1; id < n; ++id) {
    const btf_type* t = btf__type_by_id(btf, id);
    if (t != nullptr && btf_is_composite(t) && name_of(btf, t->name_off) == name) return id;
  }
  return 0;
}

}  // namespace lmp::output::detail
