// decode_value: BTF type + bytes -> nlohmann::json. Used for map entries, nested event members
// and anything outside the event printer's fast path.
#include <cstring>
#include <string>

#include "output/btf_util.h"
#include "output/output.h"
#include "output/text_format.h"

namespace lmp::output {
namespace {

using nlohmann::json;
using namespace detail;

constexpr int kMaxDepth = 32;

std::unexpected<Error> too_short(const btf* btf, uint32_t id, size_t need, size_t have) {
  const btf_type* t = btf__type_by_id(btf, id);
  std::string what = t != nullptr ? kind_name(t) : "type";
  std::string name = t != nullptr ? name_of(btf, t->name_off) : "";
  if (!name.empty()) what += " " + name;
  return fail(ExitCode::kBadPackage, "decoding " + what + " (BTF id " + std::to_string(id) +
                                         "): needs " + std::to_string(need) + " bytes, got " +
                                         std::to_string(have));
}

// An integer value already extracted into `raw` (low `bits` bits significant).
json int_json(const btf_type* t, uint64_t raw, uint32_t bits) {
  uint8_t encoding = btf_int_encoding(t);
  if (encoding & BTF_INT_BOOL) return json(raw != 0);
  if (encoding & BTF_INT_SIGNED) return json(sign_extend(raw, bits));
  return json(bits >= 64 ? raw : raw & ((uint64_t{1} << bits) - 1));
}

json enum_json(const btf* btf, const btf_type* t, uint64_t raw) {
  EnumTable table = enum_table(btf, t);
  if (const std::string* name = table.find(raw)) return json(*name);
  if (table.is_signed) return json(sign_extend(raw, table.size * 8));
  return json(table.size >= 8 ? raw : raw & ((uint64_t{1} << (table.size * 8)) - 1));
}

class Decoder {
 public:
  explicit Decoder(const btf* btf) : btf_(btf) {}

  Result<json> value(uint32_t id, std::span<const uint8_t> bytes, int depth) {
    if (depth > kMaxDepth) return fail(ExitCode::kBadPackage, "BTF types nest too deeply");
    ResolvedType r = resolve_type(btf_, id);
    if (r.type == nullptr)
      return fail(ExitCode::kBadPackage, "BTF type id " + std::to_string(id) + " is invalid");
    const btf_type* t = r.type;
    if (btf_is_var(t)) return value(t->type, bytes, depth + 1);
    int64_t size = btf__resolve_size(btf_, r.id);
    if (size < 0)
      return fail(ExitCode::kBadPackage, "cannot decode BTF " + std::string(kind_name(t)) +
                                             " (id " + std::to_string(id) + "): it has no size");
    if (bytes.size() < static_cast<size_t>(size)) return too_short(btf_, r.id, size, bytes.size());
    bytes = bytes.first(size);

    switch (btf_kind(t)) {
      case BTF_KIND_INT:
        return integer(t, bytes);
      case BTF_KIND_PTR:
        return json(load_uint(bytes.data(), static_cast<uint32_t>(size)));
      case BTF_KIND_ENUM:
#ifdef BTF_KIND_ENUM64
      case BTF_KIND_ENUM64:
#endif
        if (t->size != 1 && t->size != 2 && t->size != 4 && t->size != 8) break;
        return enum_json(btf_, t, load_uint(bytes.data(), t->size));
      case BTF_KIND_FLOAT:
        return floating(t, bytes);
      case BTF_KIND_ARRAY:
        return array(t, bytes, depth);
      case BTF_KIND_STRUCT:
      case BTF_KIND_UNION: {
        json object = json::object();
        LMP_CHECK(members(t, bytes, 0, object, depth));
        return object;
      }
      case BTF_KIND_DATASEC:
        return datasec(t, bytes, depth);
      default:
        break;
    }
    return fail(ExitCode::kBadPackage, "cannot decode BTF " + std::string(kind_name(t)) + " (id " +
                                           std::to_string(id) + ")");
  }

 private:
  Result<json> integer(const btf_type* t, std::span<const uint8_t> bytes) {
    if (t->size == 16 && is_plain_int(t)) {
      std::string hex;
      append_hex128(hex, bytes.data());
      return json(std::move(hex));
    }
    uint32_t bits = btf_int_bits(t);
    if (bits == 0 || bits > 64 || btf_int_offset(t) + bits > bytes.size() * 8)
      return fail(ExitCode::kBadPackage, "unsupported BTF int encoding");
    uint64_t raw = is_plain_int(t) ? load_uint(bytes.data(), t->size)
                                   : extract_bits(bytes, btf_int_offset(t), bits);
    return int_json(t, raw, bits);
  }

  Result<json> floating(const btf_type* t, std::span<const uint8_t> bytes) {
    if (t->size == 4) {
      float f;
      std::memcpy(&f, bytes.data(), 4);
      return json(static_cast<double>(f));
    }
    if (t->size == 8) {
      double d;
      std::memcpy(&d, bytes.data(), 8);
      return json(d);
    }
    if (t->size == sizeof(long double)) {
      long double d;
      std::memcpy(&d, bytes.data(), sizeof d);
      return json(static_cast<double>(d));
    }
    return fail(ExitCode::kBadPackage, "unsupported float size " + std::to_string(t->size));
  }

  Result<json> array(const btf_type* t, std::span<const uint8_t> bytes, int depth) {
    const struct btf_array* a = btf_array(t);
    if (is_char_array(btf_, t)) {
      std::string text;
      append_c_string(text, bytes.first(a->nelems), false);
      return json(std::move(text));
    }
    int64_t elem_size = btf__resolve_size(btf_, a->type);
    if (elem_size <= 0) return json::array();  // zero-size elements: nothing to show
    json out = json::array();
    for (uint32_t i = 0; i < a->nelems; ++i)
      out.push_back(LMP_TRY(value(a->type, bytes.subspan(i * elem_size, elem_size), depth + 1)));
    return out;
  }

  // Adds the members of struct/union `t` (whose bytes start at `bytes`) to `object`. Anonymous
  // struct/union members are flattened into the parent, as C lets you name their fields.
  Result<void> members(const btf_type* t, std::span<const uint8_t> bytes, uint32_t base_bits,
                       json& object, int depth) {
    const btf_member* m = btf_members(t);
    for (uint16_t i = 0; i < btf_vlen(t); ++i, ++m) {
      std::string name = name_of(btf_, m->name_off);
      uint32_t bit_off = base_bits + btf_member_bit_offset(t, i);
      uint32_t bit_size = btf_member_bitfield_size(t, i);
      ResolvedType mt = resolve_type(btf_, m->type);
      if (mt.type == nullptr) return fail(ExitCode::kBadPackage, "member " + name + ": bad type");
      if (bit_size != 0) {
        if (bit_off + bit_size > bytes.size() * 8 || bit_size > 64)
          return fail(ExitCode::kBadPackage, "bitfield " + name + " lies outside its struct");
        uint64_t raw = extract_bits(bytes, bit_off, bit_size);
        if (btf_is_int(mt.type))
          object[name] = int_json(mt.type, raw, bit_size);
        else if (btf_is_any_enum(mt.type))
          object[name] =
              enum_json(btf_, mt.type, btf_kflag(mt.type) ? sign_extend(raw, bit_size) : raw);
        else
          return fail(ExitCode::kBadPackage, "bitfield " + name + " is not an integer");
        continue;
      }
      if (bit_off % 8 != 0)
        return fail(ExitCode::kBadPackage, "member " + name + " is not byte aligned");
      if (name.empty() && btf_is_composite(mt.type)) {
        LMP_CHECK(members(mt.type, bytes, bit_off, object, depth + 1));
        continue;
      }
      size_t off = bit_off / 8;
      if (off > bytes.size()) return too_short(btf_, m->type, off, bytes.size());
      object[name] = LMP_TRY(value(m->type, bytes.subspan(off), depth + 1));
    }
    return {};
  }

  Result<json> datasec(const btf_type* t, std::span<const uint8_t> bytes, int depth) {
    json object = json::object();
    const btf_var_secinfo* v = btf_var_secinfos(t);
    for (uint16_t i = 0; i < btf_vlen(t); ++i, ++v) {
      const btf_type* var = btf__type_by_id(btf_, v->type);
      if (var == nullptr || v->offset > bytes.size() || v->size > bytes.size() - v->offset)
        return fail(ExitCode::kBadPackage, "datasec variable outside its section");
      object[name_of(btf_, var->name_off)] =
          LMP_TRY(value(v->type, bytes.subspan(v->offset, v->size), depth + 1));
    }
    return object;
  }

  const btf* btf_;
};

}  // namespace

Result<nlohmann::json> decode_value(const btf* btf, uint32_t type_id,
                                    std::span<const uint8_t> bytes) {
  if (btf == nullptr) return fail(ExitCode::kBadPackage, "no BTF to decode with");
  try {
    return Decoder(btf).value(type_id, bytes, 0);
  } catch (const std::exception& e) {  // allocation failure inside nlohmann::json
    return fail(ExitCode::kFailure, std::string("decoding failed: ") + e.what());
  }
}

}  // namespace lmp::output
