// The columns of an event struct: where each member's bytes are, how its raw value prints and
// how it decodes (value_format.h). Planned once when a printer is created, read on every event.
// Internal to the output module.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "output/btf_util.h"
#include "output/value_format.h"
#include "package/package.h"

namespace lmp::output::detail {

// How a column's raw value is read and printed.
enum class Cell { kUnsigned, kSigned, kBool, kEnum, kFloat, kDouble, kHex128, kChars, kNested };

struct Column {
  std::string name;
  Cell cell = Cell::kUnsigned;
  uint32_t offset = 0;      // bytes from the start of the event
  uint32_t size = 0;        // bytes; for kChars 0 means "to the end of the sample"
  uint32_t bit_offset = 0;  // bitfields only: bits from the start of the event
  uint32_t bit_size = 0;    // nonzero: a bitfield of this many bits
  uint32_t type_id = 0;     // the member's BTF type (kNested: for decode_value)
  std::shared_ptr<const EnumTable> enums;
  size_t width = 0;  // table column width, before the header is counted
  // An array member: its element type and size, so a record cut inside it still decodes.
  uint32_t elem_type_id = 0;
  uint32_t elem_size = 0;
  ValueFormat format;  // kRaw: shown as the type says
};

// The columns of struct `struct_id`: its members in declaration order, the members of anonymous
// struct/union members flattened. A column's format is its `/// @format` word in `type.members`
// (an unknown word: one warning, then raw), else infer_value_format's. Errors (kBadPackage) for
// members that cannot be decoded (not byte aligned, unsupported int encodings, no size).
Result<std::vector<Column>> plan_columns(const btf* btf, uint32_t struct_id,
                                         const package::ExportType& type);

// The BTF id of the struct `type` names: by its type_id (checked by name and member count),
// else by name. Errors (kBadPackage) when neither matches.
Result<uint32_t> find_export_struct(const btf* btf, const package::ExportType& type);

// True when the column holds a whole integer (no bitfield) of one of the sizes 1, 2, 4 or 8.
bool is_whole_integer(const Column& column);

// The index of the first column named one of `names` (in that order of preference) that
// is_whole_integer with a size in `sizes`; nullopt when none.
std::optional<size_t> find_integer_column(const std::vector<Column>& columns,
                                          std::initializer_list<std::string_view> names,
                                          std::initializer_list<uint32_t> sizes);

// The index of the column holding the address family (is_family_member), for kIp columns.
std::optional<size_t> find_family_column(const std::vector<Column>& columns);

}  // namespace lmp::output::detail
