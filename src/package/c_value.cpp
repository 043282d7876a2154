#include "package/c_value.h"

#include <algorithm>
#include <charconv>
#include <cstring>
#include <limits>
#include <map>
#include <sstream>

namespace lmp::package {
namespace {

std::vector<std::string> words_of(std::string_view text) {
  std::vector<std::string> words;
  std::string current;
  for (char c : text) {
    if (c == ' ' || c == '\t' || c == '\n') {
      if (!current.empty()) words.push_back(std::move(current)), current.clear();
    } else {
      current.push_back(c);
    }
  }
  if (!current.empty()) words.push_back(std::move(current));
  std::erase_if(words, [](const std::string& w) { return w == "const" || w == "volatile"; });
  return words;
}

// Typedefs seen in libbpf-tools and eunomia-bpf examples.
const std::map<std::string, std::pair<ValueKind, std::size_t>, std::less<>>& typedefs() {
  using K = ValueKind;
  static const std::map<std::string, std::pair<ValueKind, std::size_t>, std::less<>> table = {
      {"bool", {K::kBool, 1}},
      {"_Bool", {K::kBool, 1}},
      {"__s8", {K::kSigned, 1}},
      {"__u8", {K::kUnsigned, 1}},
      {"__s16", {K::kSigned, 2}},
      {"__u16", {K::kUnsigned, 2}},
      {"__s32", {K::kSigned, 4}},
      {"__u32", {K::kUnsigned, 4}},
      {"__s64", {K::kSigned, 8}},
      {"__u64", {K::kUnsigned, 8}},
      {"s8", {K::kSigned, 1}},
      {"u8", {K::kUnsigned, 1}},
      {"s16", {K::kSigned, 2}},
      {"u16", {K::kUnsigned, 2}},
      {"s32", {K::kSigned, 4}},
      {"u32", {K::kUnsigned, 4}},
      {"s64", {K::kSigned, 8}},
      {"u64", {K::kUnsigned, 8}},
      {"int8_t", {K::kSigned, 1}},
      {"uint8_t", {K::kUnsigned, 1}},
      {"int16_t", {K::kSigned, 2}},
      {"uint16_t", {K::kUnsigned, 2}},
      {"int32_t", {K::kSigned, 4}},
      {"uint32_t", {K::kUnsigned, 4}},
      {"int64_t", {K::kSigned, 8}},
      {"uint64_t", {K::kUnsigned, 8}},
      {"pid_t", {K::kSigned, 4}},
      {"__kernel_pid_t", {K::kSigned, 4}},
      {"uid_t", {K::kUnsigned, 4}},
      {"gid_t", {K::kUnsigned, 4}},
      {"__kernel_uid32_t", {K::kUnsigned, 4}},
      {"size_t", {K::kUnsigned, 8}},
      {"ssize_t", {K::kSigned, 8}},
      {"time_t", {K::kSigned, 8}},
      {"off_t", {K::kSigned, 8}},
      {"dev_t", {K::kUnsigned, 4}},
      {"__kernel_size_t", {K::kUnsigned, 8}},
      {"float", {K::kFloat, 4}},
      {"double", {K::kFloat, 8}},
  };
  return table;
}

// Builds a base integer type from keywords like "long unsigned int".
bool classify_integer(const std::vector<std::string>& words, ValueKind& kind, std::size_t& size) {
  int longs = 0;
  bool is_unsigned = false, is_short = false, is_char = false, is_signed = false;
  for (const auto& w : words) {
    if (w == "long")
      ++longs;
    else if (w == "unsigned")
      is_unsigned = true;
    else if (w == "signed")
      is_signed = true;
    else if (w == "short")
      is_short = true;
    else if (w == "char")
      is_char = true;
    else if (w != "int")
      return false;
  }
  if ((is_unsigned && is_signed) || longs > 2 || (is_short && (longs || is_char)) ||
      (is_char && longs))
    return false;
  kind = is_unsigned ? ValueKind::kUnsigned : ValueKind::kSigned;
  size = is_char ? 1 : is_short ? 2 : longs ? 8 : 4;
  return true;
}

Error bad_type(std::string_view text) {
  return Error{ExitCode::kBadPackage,
               "unsupported type '" + std::string(text) + "' for a program option",
               "options can be bool, integers, enums, float, double or char arrays"};
}

std::pair<int64_t, uint64_t> integer_range(const CType& type) {
  unsigned bits = static_cast<unsigned>(type.size * 8);
  if (type.kind == ValueKind::kUnsigned)
    return {0, bits >= 64 ? std::numeric_limits<uint64_t>::max() : (uint64_t{1} << bits) - 1};
  if (bits >= 64)
    return {std::numeric_limits<int64_t>::min(),
            static_cast<uint64_t>(std::numeric_limits<int64_t>::max())};
  return {-(int64_t{1} << (bits - 1)), (uint64_t{1} << (bits - 1)) - 1};
}

Error out_of_range(const CType& type, std::string_view text) {
  auto [lo, hi] = integer_range(type);
  return Error{ExitCode::kUsage,
               "'" + std::string(text) + "' is out of range for " + type.text + " (" +
                   std::to_string(lo) + ".." + std::to_string(hi) + ")",
               ""};
}

Result<TypedValue> parse_integer(const CType& type, std::string_view text) {
  std::string_view digits = text;
  bool negative = false;
  if (!digits.empty() && (digits[0] == '-' || digits[0] == '+')) {
    negative = digits[0] == '-';
    digits.remove_prefix(1);
  }
  int base = 10;
  if (digits.size() > 2 && digits[0] == '0' && (digits[1] == 'x' || digits[1] == 'X')) {
    base = 16;
    digits.remove_prefix(2);
  }
  uint64_t magnitude = 0;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), magnitude, base);
  if (digits.empty() || end != digits.data() + digits.size() ||
      (ec != std::errc() && ec != std::errc::result_out_of_range))
    return fail(ExitCode::kUsage, "'" + std::string(text) + "' is not an integer");
  if (ec == std::errc::result_out_of_range) return std::unexpected(out_of_range(type, text));
  auto [lo, hi] = integer_range(type);
  if (type.kind == ValueKind::kUnsigned) {
    if (negative && magnitude != 0) return std::unexpected(out_of_range(type, text));
    if (magnitude > hi) return std::unexpected(out_of_range(type, text));
    return TypedValue{type, magnitude};
  }
  if (!negative) {
    if (magnitude > hi) return std::unexpected(out_of_range(type, text));
    return TypedValue{type, static_cast<int64_t>(magnitude)};
  }
  if (magnitude > static_cast<uint64_t>(-(lo + 1)) + 1)
    return std::unexpected(out_of_range(type, text));
  return TypedValue{type, static_cast<int64_t>(0 - magnitude)};
}

Result<TypedValue> parse_bool(const CType& type, std::string_view text) {
  if (text == "true" || text == "1" || text == "yes" || text == "on") return TypedValue{type, true};
  if (text == "false" || text == "0" || text == "no" || text == "off")
    return TypedValue{type, false};
  return fail(ExitCode::kUsage, "'" + std::string(text) + "' is not a boolean (use true or false)");
}

Result<TypedValue> parse_float(const CType& type, std::string_view text) {
  double value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size())
    return fail(ExitCode::kUsage, "'" + std::string(text) + "' is not a number");
  return TypedValue{type, value};
}

}  // namespace

std::string CType::placeholder() const {
  switch (kind) {
    case ValueKind::kBool:
      return "";
    case ValueKind::kSigned:
    case ValueKind::kUnsigned:
      return "<int>";
    case ValueKind::kFloat:
      return "<float>";
    case ValueKind::kString:
      return "<string>";
  }
  return "";
}

Result<CType> parse_c_type(std::string_view text) {
  auto words = words_of(text);
  if (words.empty()) return std::unexpected(bad_type(text));
  CType type{ValueKind::kSigned, 0, std::string(text)};
  // char[N] (the brackets may be attached to the last word or separate).
  std::string joined;
  for (const auto& w : words) joined += (joined.empty() ? "" : " ") + w;
  if (auto open = joined.find('['); open != std::string::npos) {
    std::string base = joined.substr(0, open);
    while (!base.empty() && base.back() == ' ') base.pop_back();
    std::size_t n = 0;
    auto close = joined.find(']', open);
    auto [end, ec] = std::from_chars(joined.data() + open + 1, joined.data() + close, n);
    if (close == std::string::npos || close + 1 != joined.size() || ec != std::errc() ||
        end != joined.data() + close || n == 0 ||
        (base != "char" && base != "unsigned char" && base != "signed char"))
      return std::unexpected(bad_type(text));
    if (n > kMaxCharArray)
      return fail(ExitCode::kBadPackage,
                  "type '" + std::string(text) + "': lmp handles char arrays up to " +
                      std::to_string(kMaxCharArray) + " bytes",
                  "the package is damaged or was crafted; rebuild it with lmp build");
    type.kind = ValueKind::kString;
    type.size = n;
    return type;
  }
  if (words.size() == 2 && words[0] == "enum") {
    type.size = 4;
    return type;
  }
  if (words.size() == 1) {
    if (auto it = typedefs().find(words[0]); it != typedefs().end()) {
      type.kind = it->second.first;
      type.size = it->second.second;
      return type;
    }
  }
  if (classify_integer(words, type.kind, type.size)) return type;
  return std::unexpected(bad_type(text));
}

std::vector<uint8_t> TypedValue::to_bytes() const {
  std::vector<uint8_t> bytes(type.size, 0);
  auto put = [&](const void* p, std::size_t n) {
    std::memcpy(bytes.data(), p, std::min(n, bytes.size()));
  };
  switch (type.kind) {
    case ValueKind::kBool: {
      uint8_t b = std::get<bool>(value) ? 1 : 0;
      put(&b, 1);
      break;
    }
    case ValueKind::kSigned:
    case ValueKind::kUnsigned: {
      uint64_t raw = type.kind == ValueKind::kSigned
                         ? static_cast<uint64_t>(std::get<int64_t>(value))
                         : std::get<uint64_t>(value);
      // Take the low `size` bytes in host order.
      if (type.size == 1) {
        uint8_t v = static_cast<uint8_t>(raw);
        put(&v, 1);
      } else if (type.size == 2) {
        uint16_t v = static_cast<uint16_t>(raw);
        put(&v, 2);
      } else if (type.size == 4) {
        uint32_t v = static_cast<uint32_t>(raw);
        put(&v, 4);
      } else
        put(&raw, 8);
      break;
    }
    case ValueKind::kFloat: {
      double d = std::get<double>(value);
      if (type.size == 4) {
        float f = static_cast<float>(d);
        put(&f, 4);
      } else
        put(&d, 8);
      break;
    }
    case ValueKind::kString: {
      const auto& s = std::get<std::string>(value);
      put(s.data(), std::min(s.size(), type.size > 0 ? type.size - 1 : 0));
      break;
    }
  }
  return bytes;
}

std::string TypedValue::to_string() const {
  return std::visit(
      [](const auto& v) -> std::string {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, bool>)
          return v ? "true" : "false";
        else if constexpr (std::is_same_v<T, std::string>)
          return "\"" + v + "\"";
        else if constexpr (std::is_same_v<T, double>) {
          std::ostringstream out;
          out << v;
          return out.str();
        } else
          return std::to_string(v);
      },
      value);
}

TypedValue value_from_bytes(const CType& type, std::span<const uint8_t> bytes) {
  // Numbers are at most 8 bytes; strings are read from `bytes` directly, so a type's size
  // (from a package) never sizes an allocation here.
  uint8_t buf[8] = {};
  std::memcpy(buf, bytes.data(), std::min({bytes.size(), type.size, sizeof buf}));
  auto load = [&](auto v) {
    std::memcpy(&v, buf, sizeof(v));
    return v;
  };
  switch (type.kind) {
    case ValueKind::kBool:
      return {type, buf[0] != 0};
    case ValueKind::kSigned:
      switch (type.size) {
        case 1:
          return {type, int64_t{load(int8_t{})}};
        case 2:
          return {type, int64_t{load(int16_t{})}};
        case 4:
          return {type, int64_t{load(int32_t{})}};
        default:
          return {type, load(int64_t{})};
      }
    case ValueKind::kUnsigned:
      switch (type.size) {
        case 1:
          return {type, uint64_t{load(uint8_t{})}};
        case 2:
          return {type, uint64_t{load(uint16_t{})}};
        case 4:
          return {type, uint64_t{load(uint32_t{})}};
        default:
          return {type, load(uint64_t{})};
      }
    case ValueKind::kFloat:
      return {type, type.size == 4 ? double{load(float{})} : load(double{})};
    case ValueKind::kString: {
      std::size_t n = std::min(bytes.size(), type.size);
      std::string text(reinterpret_cast<const char*>(bytes.data()), n);
      if (auto nul = text.find('\0'); nul != std::string::npos) text.resize(nul);
      return {type, text};
    }
  }
  return zero_value(type);
}

TypedValue zero_value(const CType& type) {
  switch (type.kind) {
    case ValueKind::kBool:
      return {type, false};
    case ValueKind::kSigned:
      return {type, int64_t{0}};
    case ValueKind::kUnsigned:
      return {type, uint64_t{0}};
    case ValueKind::kFloat:
      return {type, 0.0};
    case ValueKind::kString:
      return {type, std::string()};
  }
  return {type, false};
}

Result<TypedValue> parse_value(const CType& type, std::string_view text) {
  switch (type.kind) {
    case ValueKind::kBool:
      return parse_bool(type, text);
    case ValueKind::kSigned:
    case ValueKind::kUnsigned:
      return parse_integer(type, text);
    case ValueKind::kFloat:
      return parse_float(type, text);
    case ValueKind::kString:
      if (text.size() + 1 > type.size)
        return fail(ExitCode::kUsage, "'" + std::string(text) + "' is too long for " + type.text +
                                          " (at most " + std::to_string(type.size - 1) + " bytes)");
      return TypedValue{type, std::string(text)};
  }
  return fail(ExitCode::kUsage, "unsupported type");
}

Result<TypedValue> value_from_json(const CType& type, const nlohmann::json& json) {
  std::string text;
  if (json.is_boolean()) {
    if (type.kind == ValueKind::kBool) return TypedValue{type, json.get<bool>()};
    text = json.get<bool>() ? "1" : "0";
  } else if (json.is_number_float() && type.kind == ValueKind::kFloat) {
    return TypedValue{type, json.get<double>()};
  } else if (json.is_number()) {
    text = json.dump();
  } else if (json.is_string()) {
    text = json.get<std::string>();
  } else if (json.is_null()) {
    return zero_value(type);
  } else {
    return fail(ExitCode::kBadPackage, "expected a number, bool or string, got " + json.dump());
  }
  auto parsed = parse_value(type, text);
  if (!parsed) return fail(ExitCode::kBadPackage, parsed.error().message);
  return parsed;
}

}  // namespace lmp::package
