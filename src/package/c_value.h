// Typed scalar values of eBPF globals: the C type text from a package ("unsigned int", "pid_t",
// "char[16]", "enum level") classified into a kind and size, and values of that type parsed
// from command-line text or package JSON and encoded as the bytes the kernel object expects.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/result.h"

namespace lmp::package {

enum class ValueKind { kBool, kSigned, kUnsigned, kFloat, kString };

// A C scalar type as lmp understands it. Sizes assume LP64 (x86_64, arm64).
struct CType {
  ValueKind kind = ValueKind::kSigned;
  std::size_t size = 0;  // bytes; for kString the array length N (at most N-1 bytes of text)
  std::string text;      // the type text as written in the package

  // "<int>", "<float>", "<string>", or "" for bool.
  std::string placeholder() const;
};

// The largest char[N] lmp accepts in a package (a command-line string or initial value; the
// kernel object's own size is checked again before anything is written).
inline constexpr std::size_t kMaxCharArray = 1u << 20;

// Classifies C type text. Qualifiers (const, volatile) are ignored; integer keyword order is
// free ("long unsigned int"); known typedefs (pid_t, __u32, u64, size_t, ...) map to their
// base type; "enum X" is a 4-byte signed integer; char[N] is a string (N <= kMaxCharArray).
// Errors (kBadPackage) for anything else (structs, pointers, unknown typedefs).
Result<CType> parse_c_type(std::string_view text);

using Scalar = std::variant<bool, int64_t, uint64_t, double, std::string>;

struct TypedValue {
  CType type;
  Scalar value;

  // Exactly type.size bytes in host byte order (the BPF target's order on the same machine);
  // strings are NUL padded.
  std::vector<uint8_t> to_bytes() const;
  // Human form for help texts: 42, true, 1.5, "text".
  std::string to_string() const;
};

// Decodes host-order bytes of the type (e.g. a variable's initializer in the object).
// Short input reads as zero-padded.
TypedValue value_from_bytes(const CType& type, std::span<const uint8_t> bytes);

// The zero value of a type (false, 0, 0.0, "").
TypedValue zero_value(const CType& type);

// Parses command-line text. Integers are decimal or 0x hex, range checked against the type;
// bools accept true/false/1/0/yes/no/on/off. Errors (kUsage) read like
// "'abc' is not an integer" or "'-1' is out of range for unsigned int (0..4294967295)".
Result<TypedValue> parse_value(const CType& type, std::string_view text);

// Converts a JSON value from a package (number, bool or string) with the same checks.
// Errors are kBadPackage.
Result<TypedValue> value_from_json(const CType& type, const nlohmann::json& json);

}  // namespace lmp::package
