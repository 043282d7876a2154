// plan_columns: an event struct's BTF compiled into a flat list of columns.
#include "output/event_columns.h"

#include <algorithm>

#include "common/log.h"

namespace lmp::output::detail {
namespace {

constexpr size_t kNumberWidth = 7;
constexpr size_t kPointerWidth = 16;
constexpr size_t kMinStringWidth = 7;
constexpr size_t kMaxStringWidth = 16;

// Room a decoded value usually needs in the table; longer ones push the row right.
size_t decoded_width(ValueKind kind) {
  switch (kind) {
    case ValueKind::kIpv4:
    case ValueKind::kIp:
      return 15;  // 255.255.255.255
    case ValueKind::kIpv6:
      return 25;
    case ValueKind::kSyscall:
      return 16;
    case ValueKind::kFlags:
      return 18;  // O_RDONLY|O_CLOEXEC
    case ValueKind::kDuration:
      return 10;
    case ValueKind::kKsym:
      return 24;
    case ValueKind::kHex:
      return 18;  // 0x + 16 digits
    default:
      return kNumberWidth;
  }
}

class Planner {
 public:
  explicit Planner(const btf* btf) : btf_(btf) {}

  Result<void> add_members(const btf_type* t, uint32_t base_bits, int depth) {
    if (depth > 8) return fail(ExitCode::kBadPackage, "export struct nests too deeply");
    const btf_member* m = btf_members(t);
    for (uint16_t i = 0; i < btf_vlen(t); ++i, ++m) {
      Column c;
      c.name = name_of(btf_, m->name_off);
      uint32_t bit_off = base_bits + btf_member_bit_offset(t, i);
      ResolvedType mt = resolve_type(btf_, m->type);
      if (mt.type == nullptr)
        return fail(ExitCode::kBadPackage, "member " + c.name + " has an invalid BTF type");
      if (c.name.empty() && btf_is_composite(mt.type)) {
        LMP_CHECK(add_members(mt.type, bit_off, depth + 1));  // anonymous struct/union
        continue;
      }
      c.offset = bit_off / 8;
      c.type_id = m->type;
      LMP_CHECK(classify(c, mt, bit_off, btf_member_bitfield_size(t, i)));
      columns.push_back(std::move(c));
    }
    return {};
  }

  std::vector<Column> columns;

 private:
  Result<void> classify(Column& c, const ResolvedType& mt, uint32_t bit_off, uint32_t bitfield) {
    const btf_type* t = mt.type;
    c.width = kNumberWidth;
    if (bitfield == 0 && bit_off % 8 != 0)
      return fail(ExitCode::kBadPackage, "member " + c.name + " is not byte aligned");
    if (btf_is_int(t)) {
      uint8_t enc = btf_int_encoding(t);
      c.cell = (enc & BTF_INT_BOOL)     ? Cell::kBool
               : (enc & BTF_INT_SIGNED) ? Cell::kSigned
                                        : Cell::kUnsigned;
      c.size = t->size;
      if (bitfield != 0) {
        c.bit_offset = bit_off;
        c.bit_size = bitfield;
      } else if (t->size == 16 && is_plain_int(t)) {
        c.cell = Cell::kHex128;
        c.width = 34;
      } else if (!is_plain_int(t) ||
                 (t->size != 1 && t->size != 2 && t->size != 4 && t->size != 8)) {
        c.bit_offset = bit_off + btf_int_offset(t);
        c.bit_size = btf_int_bits(t);
        if (c.bit_size == 0 || c.bit_size > 64)
          return fail(ExitCode::kBadPackage, "member " + c.name + ": unsupported int encoding");
      }
    } else if (btf_is_any_enum(t) &&
               (t->size == 1 || t->size == 2 || t->size == 4 || t->size == 8)) {
      c.cell = Cell::kEnum;
      c.size = t->size;
      c.enums = std::make_shared<EnumTable>(enum_table(btf_, t));
      if (bitfield != 0) {
        c.bit_offset = bit_off;
        c.bit_size = bitfield;
      }
    } else if (bitfield != 0) {
      return fail(ExitCode::kBadPackage, "bitfield " + c.name + " is not an integer");
    } else if (btf_is_ptr(t)) {
      c.cell = Cell::kUnsigned;
      c.size = static_cast<uint32_t>(btf__resolve_size(btf_, mt.id));
      c.width = kPointerWidth;
    } else if (btf_is_float(t) && (t->size == 4 || t->size == 8)) {
      c.cell = t->size == 4 ? Cell::kFloat : Cell::kDouble;
      c.size = t->size;
    } else if (is_char_array(btf_, t)) {
      c.cell = Cell::kChars;
      c.elem_size = 1;
      c.size = btf_array(t)->nelems;  // 0: flexible array member, the rest of the sample
      size_t text = c.size == 0 ? kMaxStringWidth : c.size - 1;
      c.width = std::clamp(text, kMinStringWidth, kMaxStringWidth);
    } else {
      int64_t size = btf__resolve_size(btf_, mt.id);
      if (size < 0)
        return fail(ExitCode::kBadPackage, "member " + c.name + " has a type without a size");
      c.cell = Cell::kNested;
      c.size = static_cast<uint32_t>(size);
      c.width = 0;
      if (btf_is_array(t)) {
        int64_t elem = btf__resolve_size(btf_, btf_array(t)->type);
        if (elem > 0) {
          c.elem_type_id = btf_array(t)->type;
          c.elem_size = static_cast<uint32_t>(elem);
        }
      }
    }
    return {};
  }

  const btf* btf_;
};

// The column's `/// @format` word from the package, "" when it has none.
std::string_view format_word(const package::ExportType& type, std::string_view name) {
  for (const auto& member : type.members)
    if (member.name == name) return member.format;
  return {};
}

void choose_formats(const btf* btf, const package::ExportType& type, std::vector<Column>& columns) {
  bool has_family = find_family_column(columns).has_value();
  for (Column& c : columns) {
    std::string_view word = format_word(type, c.name);
    if (word.empty()) {
      c.format = infer_value_format(btf, c.name, c.type_id, has_family);
    } else if (auto parsed = parse_value_format(word)) {
      c.format = *parsed;
    } else {
      log::warn(type.name + "." + c.name + ": " + parsed.error().message +
                "; the value is shown raw");
    }
    if (c.format.kind != ValueKind::kRaw && c.format.kind != ValueKind::kKstack &&
        c.format.kind != ValueKind::kUstack)
      c.width = std::max(c.width, decoded_width(c.format.kind));
  }
}

}  // namespace

bool is_whole_integer(const Column& column) {
  return (column.cell == Cell::kUnsigned || column.cell == Cell::kSigned ||
          column.cell == Cell::kEnum) &&
         column.bit_size == 0 &&
         (column.size == 1 || column.size == 2 || column.size == 4 || column.size == 8);
}

std::optional<size_t> find_integer_column(const std::vector<Column>& columns,
                                          std::initializer_list<std::string_view> names,
                                          std::initializer_list<uint32_t> sizes) {
  for (std::string_view name : names)
    for (size_t i = 0; i < columns.size(); ++i) {
      const Column& c = columns[i];
      if (c.name == name && is_whole_integer(c) &&
          std::find(sizes.begin(), sizes.end(), c.size) != sizes.end())
        return i;
    }
  return std::nullopt;
}

std::optional<size_t> find_family_column(const std::vector<Column>& columns) {
  for (size_t i = 0; i < columns.size(); ++i)
    if (is_family_member(columns[i].name) && is_whole_integer(columns[i])) return i;
  return std::nullopt;
}

Result<std::vector<Column>> plan_columns(const btf* btf, uint32_t struct_id,
                                         const package::ExportType& type) {
  Planner planner(btf);
  if (auto planned = planner.add_members(btf__type_by_id(btf, struct_id), 0, 0); !planned)
    return std::unexpected(std::move(planned.error()).context("export type " + type.name));
  choose_formats(btf, type, planner.columns);
  return std::move(planner.columns);
}

// The struct for `type`: by id (checked by name and member count), else by name.
Result<uint32_t> find_export_struct(const btf* btf, const package::ExportType& type) {
  if (const btf_type* t = btf__type_by_id(btf, type.type_id);
      type.type_id != 0 && t != nullptr && btf_is_composite(t) &&
      name_of(btf, t->name_off) == type.name &&
      (type.members.empty() || btf_vlen(t) == type.members.size()))
    return type.type_id;
  if (!type.name.empty())
    if (uint32_t id = find_composite_by_name(btf, type.name); id != 0) return id;
  return fail(ExitCode::kBadPackage,
              "export type '" + type.name + "' (BTF id " + std::to_string(type.type_id) +
                  ") is not a struct in the program's BTF",
              "the package's export_types do not match its bpf_object; rebuild it with lmp build");
}

}  // namespace lmp::output::detail
