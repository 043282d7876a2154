#include "compiler/wasm_layout.h"

#include <bpf/btf.h>

#include <algorithm>

#include "compiler/str_cat.h"

namespace lmp::compiler {
namespace {

uint32_t scalar_align(const CField& f, const std::vector<CRecord>& records) {
  if (f.kind == CKind::kRecord) return records[static_cast<std::size_t>(f.record)].align;
  if (f.kind == CKind::kPadding) return 1;
  return f.scalar_size;  // 1, 2, 4 or 8: natural alignment on both targets
}

std::string scalar_type(const CField& f) {
  switch (f.kind) {
    case CKind::kSigned:
      return str_cat("int", f.scalar_size * 8, "_t");
    case CKind::kUnsigned:
      return str_cat("uint", f.scalar_size * 8, "_t");
    case CKind::kChar:
      return "char";
    case CKind::kBool:
      return "bool";
    case CKind::kFloat:
      return f.scalar_size == 4 ? "float" : "double";
    case CKind::kPointer:
      return "uint64_t";
    case CKind::kPadding:
      return "uint8_t";
    case CKind::kRecord:
      break;
  }
  return "";
}

Error unsupported(std::string_view where, std::string_view what) {
  return Error{ExitCode::kBuild, str_cat(where, ": ", what, " cannot be shared with a wasm guest"),
               "use fixed-width integers, char arrays, pointers or nested structs in types "
               "user space reads"};
}

// BTF marks signed enums with kflag (clang 15 on); older clang writes only the values, and an
// enum with a negative value is signed in C.
bool enum_is_signed(const btf_type* t) {
  if (btf_kflag(t)) return true;
  if (!btf_is_enum(t)) return false;
  for (uint16_t i = 0; i < btf_vlen(t); ++i) {
    if (btf_enum(t)[i].val < 0) return true;
  }
  return false;
}

}  // namespace

uint32_t CField::size() const {
  uint32_t n = scalar_size;
  for (uint32_t d : dims) n *= d;
  return n;
}

bool is_c_identifier(std::string_view name) {
  if (name.empty() || (name[0] >= '0' && name[0] <= '9')) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
  });
}

void CLayout::add_enum(uint32_t type_id) {
  const btf_type* t = btf__type_by_id(btf_, type_id);
  std::string name = btf__name_by_offset(btf_, t->name_off);
  if (name.empty()) return;
  for (const auto& e : enums_) {
    if (e.name == name) return;
  }
  CEnum e{name, {}};
  bool is_signed = enum_is_signed(t);
  for (uint16_t i = 0; i < btf_vlen(t); ++i) {
    if (btf_is_enum64(t)) {
      const struct btf_enum64* v = btf_enum64(t) + i;
      e.values.emplace_back(btf__name_by_offset(btf_, v->name_off),
                            static_cast<int64_t>(btf_enum64_value(v)));
    } else {
      const struct btf_enum* v = btf_enum(t) + i;
      int64_t value = is_signed ? static_cast<int64_t>(v->val)
                                : static_cast<int64_t>(static_cast<uint32_t>(v->val));
      e.values.emplace_back(btf__name_by_offset(btf_, v->name_off), value);
    }
  }
  enums_.push_back(std::move(e));
}

Result<CField> CLayout::field_for(uint32_t type_id, std::string_view where) {
  CField f;
  for (int guard = 0; guard < 64; ++guard) {
    const btf_type* t = btf__type_by_id(btf_, type_id);
    if (type_id == 0 || !t) return std::unexpected(unsupported(where, "void"));
    switch (btf_kind(t)) {
      case BTF_KIND_CONST:
      case BTF_KIND_VOLATILE:
      case BTF_KIND_RESTRICT:
      case BTF_KIND_TYPE_TAG:
      case BTF_KIND_TYPEDEF:
        type_id = t->type;
        continue;
      case BTF_KIND_ARRAY: {
        const struct btf_array* a = btf_array(t);
        f.dims.push_back(a->nelems);
        type_id = a->type;
        continue;
      }
      case BTF_KIND_INT: {
        uint8_t encoding = btf_int_encoding(t);
        f.scalar_size = t->size;
        if (t->size > 8) return std::unexpected(unsupported(where, "a 128-bit integer"));
        if (encoding & BTF_INT_BOOL) {
          f.kind = CKind::kBool;
        } else if (t->size == 1 &&
                   ((encoding & BTF_INT_CHAR) ||
                    std::string_view(btf__name_by_offset(btf_, t->name_off)) == "char")) {
          f.kind = CKind::kChar;
        } else {
          f.kind = (encoding & BTF_INT_SIGNED) ? CKind::kSigned : CKind::kUnsigned;
        }
        return f;
      }
      case BTF_KIND_ENUM:
      case BTF_KIND_ENUM64:
        if (t->size != 1 && t->size != 2 && t->size != 4 && t->size != 8) {
          return std::unexpected(unsupported(where, "an enum of odd size"));
        }
        add_enum(type_id);
        f.kind = enum_is_signed(t) ? CKind::kSigned : CKind::kUnsigned;
        f.scalar_size = t->size;
        f.enum_name = btf__name_by_offset(btf_, t->name_off);
        return f;
      case BTF_KIND_FLOAT:
        if (t->size != 4 && t->size != 8) return std::unexpected(unsupported(where, "long double"));
        f.kind = CKind::kFloat;
        f.scalar_size = t->size;
        return f;
      case BTF_KIND_PTR:
        f.kind = CKind::kPointer;
        f.scalar_size = 8;
        return f;
      case BTF_KIND_STRUCT:
      case BTF_KIND_UNION: {
        f.kind = CKind::kRecord;
        f.record = LMP_TRY(add_record(type_id));
        f.scalar_size = records_[static_cast<std::size_t>(f.record)].size;
        return f;
      }
      case BTF_KIND_FWD:
        return std::unexpected(unsupported(where, "an incomplete (declared only) struct"));
      default:
        return std::unexpected(unsupported(where, "a function or unknown BTF kind"));
    }
  }
  return std::unexpected(unsupported(where, "a type nested too deeply"));
}

Result<int> CLayout::add_record(uint32_t type_id) {
  if (auto it = record_by_id_.find(type_id); it != record_by_id_.end()) return it->second;
  const btf_type* t = btf__type_by_id(btf_, type_id);
  if (!t || !(btf_is_struct(t) || btf_is_union(t))) {
    return fail(ExitCode::kBuild, str_cat("BTF type ", type_id, " is not a struct or union"));
  }
  std::string tag = btf__name_by_offset(btf_, t->name_off);
  std::string where =
      str_cat(btf_is_union(t) ? "union " : "struct ", tag.empty() ? "<anonymous>" : tag);
  std::vector<Member> members;
  const btf_member* m = btf_members(t);
  for (uint16_t i = 0; i < btf_vlen(t); ++i) {
    std::string name = btf__name_by_offset(btf_, m[i].name_off);
    uint32_t bit_offset = btf_member_bit_offset(t, i);
    if (btf_member_bitfield_size(t, i) != 0 || bit_offset % 8 != 0) {
      return fail(ExitCode::kBuild,
                  str_cat(where, ".", name, ": bit-fields cannot be shared with a wasm guest"),
                  "use whole integers (e.g. uint8_t flags) in types user space reads");
    }
    members.push_back({name, bit_offset / 8, m[i].type});
  }
  int index = LMP_TRY(build_record(tag, btf_is_union(t), t->size, members, where));
  if (!tag.empty()) {
    for (int other : named_order_) {
      if (records_[static_cast<std::size_t>(other)].tag == tag &&
          records_[static_cast<std::size_t>(other)].is_union == btf_is_union(t)) {
        return fail(ExitCode::kBuild, str_cat("two different types are both named ", where),
                    "rename one of them in the eBPF source");
      }
    }
    record_by_id_[type_id] = index;
    named_order_.push_back(index);
  }
  return index;
}

Result<int> CLayout::add_datasec(uint32_t type_id, std::string_view tag) {
  const btf_type* t = btf__type_by_id(btf_, type_id);
  if (!t || !btf_is_datasec(t)) {
    return fail(ExitCode::kBuild, str_cat("BTF type ", type_id, " is not a data section"));
  }
  std::vector<Member> members;
  const btf_var_secinfo* info = btf_var_secinfos(t);
  for (uint16_t i = 0; i < btf_vlen(t); ++i) {
    const btf_type* var = btf__type_by_id(btf_, info[i].type);
    if (!var || !btf_is_var(var)) continue;
    std::string name = btf__name_by_offset(btf_, var->name_off);
    // Static variables (and names C cannot spell) stay in the layout as padding.
    if (btf_var(var)->linkage != BTF_VAR_GLOBAL_ALLOCATED || !is_c_identifier(name)) continue;
    members.push_back({name, info[i].offset, var->type});
  }
  std::sort(members.begin(), members.end(),
            [](const Member& a, const Member& b) { return a.offset < b.offset; });
  int index = LMP_TRY(build_record(std::string(tag), false, t->size, members,
                                   btf__name_by_offset(btf_, t->name_off)));
  named_order_.push_back(index);
  return index;
}

Result<int> CLayout::build_record(std::string tag, bool is_union, uint32_t size,
                                  const std::vector<Member>& members, std::string_view where) {
  CRecord record;
  record.tag = std::move(tag);
  record.is_union = is_union;
  record.size = size;
  bool natural = true;
  uint32_t end = 0;  // struct: bytes laid out so far; union: the largest member
  int pads = 0;
  auto pad = [&](uint32_t offset, uint32_t bytes) {
    CField p;
    p.name = str_cat("__pad", pads++);
    p.offset = offset;
    p.kind = CKind::kPadding;
    p.scalar_size = 1;
    p.dims = {bytes};
    record.fields.push_back(std::move(p));
  };
  for (const Member& m : members) {
    std::string member_where = str_cat(where, ".", m.name.empty() ? "<anonymous>" : m.name);
    CField f = LMP_TRY(field_for(m.type_id, member_where));
    f.name = m.name;
    f.offset = is_union ? 0 : m.offset;
    if (!is_union && f.offset < end) {
      return fail(ExitCode::kBuild, str_cat(member_where, ": overlaps the member before it"));
    }
    if (!is_union && f.offset > end) pad(end, f.offset - end);
    uint32_t align = scalar_align(f, records_);
    if (f.offset % align != 0) natural = false;
    record.align = std::max(record.align, align);
    end = is_union ? std::max(end, f.size()) : f.offset + f.size();
    record.fields.push_back(std::move(f));
  }
  if (end > size) {
    return fail(ExitCode::kBuild, str_cat(where, ": members end past the type's size"));
  }
  if (end < size) pad(is_union ? 0 : end, is_union ? size : size - end);
  if (size % record.align != 0) natural = false;
  if (!natural) {
    record.packed = true;
    record.align = 1;
  }
  records_.push_back(std::move(record));
  return static_cast<int>(records_.size() - 1);
}

std::string CLayout::record_type(int index) const {
  const CRecord& r = records_[static_cast<std::size_t>(index)];
  return str_cat(r.is_union ? "union " : "struct ", r.tag);
}

std::string CLayout::declaration(const CField& field, int indent) const {
  std::string type;
  if (field.kind == CKind::kRecord) {
    const CRecord& r = records_[static_cast<std::size_t>(field.record)];
    type = r.tag.empty() ? definition(r, indent) : record_type(field.record);
  } else {
    type = scalar_type(field);
  }
  std::string text = type;
  if (!field.name.empty()) text += " " + field.name;
  for (uint32_t d : field.dims) text += str_cat("[", d, "]");
  return text;
}

std::string CLayout::definition(const CRecord& r, int indent) const {
  std::string pad(static_cast<std::size_t>(indent) + 2, ' ');
  std::string text = r.is_union ? "union" : "struct";
  if (r.packed) text += " __attribute__((packed))";
  if (!r.tag.empty()) text += " " + r.tag;
  text += " {\n";
  for (const CField& f : r.fields) {
    text += pad + declaration(f, indent + 2) + ";";
    if (!f.enum_name.empty()) text += "  /* enum " + f.enum_name + " */";
    text += "\n";
  }
  text += std::string(static_cast<std::size_t>(indent), ' ') + "}";
  return text;
}

std::string CLayout::definitions(const std::set<std::string>& defined_elsewhere,
                                 std::string_view guard) const {
  std::string text;
  // A type `guard`'s header also defines is defined here only when that header was not
  // included first; the asserts below then check the header's own definition.
  auto emit = [&](const std::string& type, const std::string& definition) {
    if (guard.empty() || !defined_elsewhere.contains(type)) {
      text += definition;
      return;
    }
    text += str_cat("#ifndef ", guard, " /* else ", type, " is the tool header's own */\n",
                    definition, "#endif\n\n");
  };
  for (const CEnum& e : enums_) {
    std::string definition = "enum " + e.name + " {\n";
    for (const auto& [name, value] : e.values)
      definition += str_cat("  ", name, " = ", value, ",\n");
    emit("enum " + e.name, definition + "};\n\n");
  }
  for (int index : named_order_) {
    emit(record_type(index), definition(records_[static_cast<std::size_t>(index)], 0) + ";\n\n");
  }
  for (int index : named_order_) {
    const CRecord& r = records_[static_cast<std::size_t>(index)];
    std::string type = record_type(index);
    text +=
        str_cat("_Static_assert(sizeof(", type, ") == ", r.size, ", \"size of ", type, "\");\n");
    for (const CField& f : r.fields) {
      if (f.name.empty() || f.kind == CKind::kPadding || r.is_union) continue;
      text += str_cat("_Static_assert(offsetof(", type, ", ", f.name, ") == ", f.offset,
                      ", \"offset of ", type, ".", f.name, "\");\n");
    }
  }
  return text;
}

}  // namespace lmp::compiler
