#include "package/json_field.h"

#include <limits>

namespace lmp::package {
namespace {

using nlohmann::json;

// The value at `key`, or nullptr when missing or null. Fails for a missing
// required field, naming what was expected.
Result<const json*> lookup(const json& object, std::string_view path, std::string_view key,
                           Need need, std::string_view expected) {
  auto it = object.find(key);
  if (it == object.end()) {
    if (need == Need::kRequired) {
      return field_error(path_key(path, key), "missing, expected " + std::string(expected));
    }
    return nullptr;
  }
  if (it->is_null() && need == Need::kOptional) return nullptr;
  return &*it;
}

// Reads an integer in [0, max]; floats and negatives are refused.
Result<void> read_unsigned(const json& object, std::string_view path, std::string_view key,
                           uint64_t max, uint64_t& out, Need need, std::string_view expected) {
  const json* value = LMP_TRY(lookup(object, path, key, need, expected));
  if (value == nullptr) return {};
  if (value->is_number_unsigned()) {
    uint64_t v = value->get<uint64_t>();
    if (v <= max) {
      out = v;
      return {};
    }
  } else if (value->is_number_integer() && value->get<int64_t>() >= 0) {
    uint64_t v = static_cast<uint64_t>(value->get<int64_t>());
    if (v <= max) {
      out = v;
      return {};
    }
  }
  return field_error(path_key(path, key), "expected " + std::string(expected));
}

}  // namespace

std::string path_key(std::string_view parent, std::string_view key) {
  if (parent.empty()) return std::string(key);
  std::string out(parent);
  out += '.';
  out += key;
  return out;
}

std::string path_index(std::string_view parent, std::size_t index) {
  return std::string(parent) + "[" + std::to_string(index) + "]";
}

std::unexpected<Error> field_error(std::string_view path, std::string_view what) {
  return fail(ExitCode::kBadPackage, std::string(path) + ": " + std::string(what));
}

Result<void> read_string(const json& object, std::string_view path, std::string_view key,
                         std::string& out, Need need) {
  const json* value = LMP_TRY(lookup(object, path, key, need, "a string"));
  if (value == nullptr) return {};
  if (!value->is_string()) return field_error(path_key(path, key), "expected a string");
  out = value->get<std::string>();
  return {};
}

Result<void> read_bool(const json& object, std::string_view path, std::string_view key, bool& out,
                       Need need) {
  const json* value = LMP_TRY(lookup(object, path, key, need, "true or false"));
  if (value == nullptr) return {};
  if (!value->is_boolean()) return field_error(path_key(path, key), "expected true or false");
  out = value->get<bool>();
  return {};
}

Result<void> read_u32(const json& object, std::string_view path, std::string_view key,
                      uint32_t& out, Need need) {
  uint64_t wide = out;
  LMP_CHECK(read_unsigned(object, path, key, std::numeric_limits<uint32_t>::max(), wide, need,
                          "an unsigned 32-bit integer"));
  out = static_cast<uint32_t>(wide);
  return {};
}

Result<void> read_u64(const json& object, std::string_view path, std::string_view key,
                      uint64_t& out, Need need) {
  return read_unsigned(object, path, key, std::numeric_limits<uint64_t>::max(), out, need,
                       "an unsigned integer");
}

Result<const json*> find_array(const json& object, std::string_view path, std::string_view key) {
  const json* value = LMP_TRY(lookup(object, path, key, Need::kOptional, "an array"));
  if (value != nullptr && !value->is_array()) {
    return field_error(path_key(path, key), "expected an array");
  }
  return value;
}

Result<const json*> find_object(const json& object, std::string_view path, std::string_view key,
                                Need need) {
  const json* value = LMP_TRY(lookup(object, path, key, need, "an object"));
  if (value != nullptr && !value->is_object()) {
    return field_error(path_key(path, key), "expected an object");
  }
  return value;
}

Result<void> expect_object(const json& value, std::string_view path) {
  if (!value.is_object()) return field_error(path, "expected an object");
  return {};
}

}  // namespace lmp::package
