#include "package/yaml_convert.h"

#include <yaml-cpp/yaml.h>

#include <charconv>
#include <cstdint>
#include <stdexcept>

namespace lmp::package {
namespace {

using nlohmann::json;

constexpr std::string_view kStrTag = "tag:yaml.org,2002:str";

bool is_ascii_digit(char c) {
  return c >= '0' && c <= '9';
}
bool is_hex(char c) {
  return is_ascii_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

bool all_of(std::string_view s, bool (*pred)(char)) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!pred(c)) return false;
  }
  return true;
}

// [-+]? ( "." digits | digits ( "." digits? )? ) ( [eE] [-+]? digits )?
bool is_float_text(std::string_view s) {
  std::size_t i = 0;
  if (i < s.size() && (s[i] == '-' || s[i] == '+')) ++i;
  std::size_t int_digits = 0;
  while (i < s.size() && is_ascii_digit(s[i])) ++i, ++int_digits;
  std::size_t frac_digits = 0;
  if (i < s.size() && s[i] == '.') {
    ++i;
    while (i < s.size() && is_ascii_digit(s[i])) ++i, ++frac_digits;
  }
  if (int_digits == 0 && frac_digits == 0) return false;
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '-' || s[i] == '+')) ++i;
    std::size_t exp_digits = 0;
    while (i < s.size() && is_ascii_digit(s[i])) ++i, ++exp_digits;
    if (exp_digits == 0) return false;
  }
  return i == s.size();
}

// Unsigned integer text in `base`, or a float when it does not fit 64 bits.
json parse_unsigned(std::string_view digits, int base, bool negative, std::string_view whole) {
  uint64_t value = 0;
  auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value, base);
  if (ec == std::errc() && ptr == digits.data() + digits.size()) {
    if (!negative) return value;
    if (value <= static_cast<uint64_t>(INT64_MAX) + 1) {
      return value == static_cast<uint64_t>(INT64_MAX) + 1 ? INT64_MIN
                                                           : -static_cast<int64_t>(value);
    }
  }
  if (base == 10) {
    double d = 0;
    std::string_view body = whole.front() == '+' ? whole.substr(1) : whole;
    auto [p, e] = std::from_chars(body.data(), body.data() + body.size(), d);
    if (e == std::errc() && p == body.data() + body.size()) return d;
  }
  return std::string(whole);
}

// Strict UTF-8: no overlong forms, surrogates or code points past U+10FFFF.
bool is_valid_utf8(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size()) {
    auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      ++i;
      continue;
    }
    std::size_t len = 0;
    unsigned char lo = 0x80;
    unsigned char hi = 0xBF;
    if (c >= 0xC2 && c <= 0xDF) {
      len = 2;
    } else if (c >= 0xE0 && c <= 0xEF) {
      len = 3;
      if (c == 0xE0) lo = 0xA0;
      if (c == 0xED) hi = 0x9F;
    } else if (c >= 0xF0 && c <= 0xF4) {
      len = 4;
      if (c == 0xF0) lo = 0x90;
      if (c == 0xF4) hi = 0x8F;
    } else {
      return false;
    }
    if (i + len > s.size()) return false;
    auto second = static_cast<unsigned char>(s[i + 1]);
    if (second < lo || second > hi) return false;
    for (std::size_t k = 2; k < len; ++k) {
      auto next = static_cast<unsigned char>(s[i + k]);
      if (next < 0x80 || next > 0xBF) return false;
    }
    i += len;
  }
  return true;
}

std::unexpected<Error> not_utf8(const YAML::Node& node) {
  return fail(ExitCode::kBadPackage,
              "invalid YAML at line " + std::to_string(node.Mark().line + 1) + ", column " +
                  std::to_string(node.Mark().column + 1) + ": text is not valid UTF-8");
}

class Converter {
 public:
  Result<json> convert(const YAML::Node& node, int depth) {
    if (depth > kMaxYamlDepth) {
      return fail(ExitCode::kBadPackage,
                  "YAML is nested deeper than " + std::to_string(kMaxYamlDepth) + " levels");
    }
    if (++nodes_ > kMaxYamlNodes) {
      return fail(ExitCode::kBadPackage, "YAML expands to more than " +
                                             std::to_string(kMaxYamlNodes) + " nodes (aliases?)");
    }
    switch (node.Type()) {
      case YAML::NodeType::Undefined:
      case YAML::NodeType::Null:
        return json(nullptr);
      case YAML::NodeType::Scalar:
        if (!is_valid_utf8(node.Scalar())) return not_utf8(node);
        return scalar(node);
      case YAML::NodeType::Sequence: {
        json array = json::array();
        for (const auto& item : node) array.push_back(LMP_TRY(convert(item, depth + 1)));
        return array;
      }
      case YAML::NodeType::Map: {
        json object = json::object();
        for (const auto& item : node) {
          if (!item.first.IsScalar() && !item.first.IsNull()) {
            return fail(ExitCode::kBadPackage, "YAML mapping key at line " +
                                                   std::to_string(item.first.Mark().line + 1) +
                                                   " is not a scalar");
          }
          const std::string& key = item.first.IsScalar() ? item.first.Scalar() : empty_;
          if (!is_valid_utf8(key)) return not_utf8(item.first);
          object[key] = LMP_TRY(convert(item.second, depth + 1));  // duplicate keys: last wins
        }
        return object;
      }
    }
    return json(nullptr);
  }

 private:
  static json scalar(const YAML::Node& node) {
    const std::string& tag = node.Tag();
    if (tag == "!" || tag == kStrTag) return node.Scalar();
    return resolve_plain_scalar(node.Scalar());
  }

  std::size_t nodes_ = 0;
  const std::string empty_;
};

void emit(YAML::Emitter& out, const json& value) {
  switch (value.type()) {
    case json::value_t::null:
    case json::value_t::discarded:
      out << YAML::Null;
      break;
    case json::value_t::boolean:
      out << value.get<bool>();
      break;
    case json::value_t::number_integer:
      out << value.get<int64_t>();
      break;
    case json::value_t::number_unsigned:
      out << value.get<uint64_t>();
      break;
    case json::value_t::number_float:
      // nlohmann's shortest round-trip text ("1.0", "1e+100") reads back as a float.
      out << value.dump();
      break;
    case json::value_t::string: {
      const auto& text = value.get_ref<const std::string&>();
      if (!resolve_plain_scalar(text).is_string()) out << YAML::DoubleQuoted;
      out << text;
      break;
    }
    case json::value_t::binary:
      out << YAML::Null;
      break;
    case json::value_t::array:
      out << YAML::BeginSeq;
      for (const auto& item : value) emit(out, item);
      out << YAML::EndSeq;
      break;
    case json::value_t::object:
      out << YAML::BeginMap;
      for (const auto& [key, item] : value.items()) {
        out << YAML::Key << key << YAML::Value;
        emit(out, item);
      }
      out << YAML::EndMap;
      break;
  }
}

}  // namespace

json resolve_plain_scalar(std::string_view s) {
  if (s.empty() || s == "~" || s == "null" || s == "Null" || s == "NULL") return nullptr;
  if (s == "true" || s == "True" || s == "TRUE") return true;
  if (s == "false" || s == "False" || s == "FALSE") return false;
  if (s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X') && all_of(s.substr(2), is_hex)) {
    return parse_unsigned(s.substr(2), 16, false, s);
  }
  if (s.size() > 2 && s[0] == '0' && s[1] == 'o' &&
      all_of(s.substr(2), [](char c) { return c >= '0' && c <= '7'; })) {
    return parse_unsigned(s.substr(2), 8, false, s);
  }
  bool sign = s[0] == '-' || s[0] == '+';
  std::string_view digits = sign ? s.substr(1) : s;
  if (all_of(digits, is_ascii_digit)) return parse_unsigned(digits, 10, s[0] == '-', s);
  if (is_float_text(s)) {
    double d = 0;
    std::string_view body = s[0] == '+' ? s.substr(1) : s;
    auto [ptr, ec] = std::from_chars(body.data(), body.data() + body.size(), d);
    // Out-of-range floats (1e999) stay strings: JSON has no infinity.
    if (ec == std::errc() && ptr == body.data() + body.size()) return d;
  }
  return std::string(s);
}

Result<json> yaml_to_json(std::string_view text) {
  YAML::Node root;
  try {
    root = YAML::Load(std::string(text));
  } catch (const YAML::Exception& e) {
    return fail(ExitCode::kBadPackage, "invalid YAML at line " + std::to_string(e.mark.line + 1) +
                                           ", column " + std::to_string(e.mark.column + 1) + ": " +
                                           e.msg);
  } catch (const std::exception& e) {
    return fail(ExitCode::kBadPackage, std::string("invalid YAML: ") + e.what());
  }
  try {
    Converter converter;
    return converter.convert(root, 0);
  } catch (const std::exception& e) {
    return fail(ExitCode::kBadPackage, std::string("invalid YAML: ") + e.what());
  }
}

std::string json_to_yaml(const json& value) {
  YAML::Emitter out;
  out.SetIndent(2);
  emit(out, value);
  std::string text = out.c_str();
  if (!text.empty() && text.back() != '\n') text += '\n';
  return text;
}

}  // namespace lmp::package
