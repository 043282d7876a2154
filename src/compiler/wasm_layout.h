// C declarations of eBPF types for a wasm32 guest, with the eBPF object's exact layout.
//
// The eBPF target and wasm32 disagree on `long` (8 vs 4 bytes) and on pointers (8 vs 4), so a
// struct shared by both cannot be compiled from the same header. This module reads a type
// from BTF and describes it with types whose size and alignment are the same on both sides:
// fixed-width integers, 64-bit integers for pointers, explicit `__pad` members for every gap
// (tail included). A struct whose members are not at their natural offsets (a packed struct)
// is emitted packed. Bit-fields, 128-bit integers, long double and incomplete types are
// refused with an error naming the member.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

struct btf;

namespace lmp::compiler {

enum class CKind { kSigned, kUnsigned, kChar, kBool, kFloat, kPointer, kRecord, kPadding };

struct CField {
  std::string name;  // empty for an anonymous struct/union member
  uint32_t offset = 0;
  CKind kind = CKind::kUnsigned;
  uint32_t scalar_size = 0;    // size of one element (for kRecord: the record's size)
  std::vector<uint32_t> dims;  // array dimensions, outermost first
  int record = -1;             // kRecord: index in CLayout::records()
  std::string enum_name;       // the enum an integer member was declared with, if any

  uint32_t size() const;  // scalar_size times every dimension
};

struct CRecord {
  std::string tag;  // "event" for struct event; empty for an anonymous (inline) record
  bool is_union = false;
  bool packed = false;
  uint32_t size = 0;
  uint32_t align = 1;
  std::vector<CField> fields;  // in offset order, padding included
};

struct CEnum {
  std::string name;
  std::vector<std::pair<std::string, int64_t>> values;
};

// The records and enums needed for some BTF types, in definition order.
class CLayout {
 public:
  explicit CLayout(const btf* btf) : btf_(btf) {}

  // Adds struct or union `type_id` (and every type it uses). Returns its record index.
  Result<int> add_record(uint32_t type_id);
  // Adds a record named `tag` made of the global variables of DATASEC `type_id`; static
  // variables and the gaps between variables become padding.
  Result<int> add_datasec(uint32_t type_id, std::string_view tag);

  const std::vector<CRecord>& records() const { return records_; }
  const std::vector<CEnum>& enums() const { return enums_; }

  // `struct event` / `union u`.
  std::string record_type(int index) const;
  // One member declaration without the trailing ';', e.g. "uint64_t ts", "char comm[16]",
  // "struct { ... } inner" (anonymous records inline, indented by `indent`).
  std::string declaration(const CField& field, int indent) const;
  // Definitions of every enum and named record, dependencies first, then _Static_assert lines
  // for each named record's size and each named member's offset. Types named in
  // `defined_elsewhere` ("struct event", "enum kind") are wrapped in `#ifndef guard`: the
  // header with that include guard, when included first, provides them instead.
  std::string definitions(const std::set<std::string>& defined_elsewhere = {},
                          std::string_view guard = {}) const;

 private:
  struct Member {
    std::string name;
    uint32_t offset;
    uint32_t type_id;
  };
  Result<int> build_record(std::string tag, bool is_union, uint32_t size,
                           const std::vector<Member>& members, std::string_view where);
  Result<CField> field_for(uint32_t type_id, std::string_view where);
  void add_enum(uint32_t type_id);
  std::string definition(const CRecord& record, int indent) const;

  const btf* btf_;
  std::vector<CRecord> records_;
  std::vector<CEnum> enums_;
  std::map<uint32_t, int> record_by_id_;  // BTF id -> record index (named records)
  std::vector<int> named_order_;          // named records in dependency order
};

// True for a C identifier.
bool is_c_identifier(std::string_view name);

}  // namespace lmp::compiler
