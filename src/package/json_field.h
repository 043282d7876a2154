// Typed reads of JSON fields that fail with the field's path, e.g.
// "meta.bpf_skel.progs[2].attach: expected a string". Used by the package and
// config parsers so every validation error reads the same way.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "common/result.h"

namespace lmp::package {

// "a" + "b" -> "a.b"; "" + "b" -> "b".
std::string path_key(std::string_view parent, std::string_view key);
// "a" + 2 -> "a[2]".
std::string path_index(std::string_view parent, std::size_t index);

// A kBadPackage error reading "<path>: <what>".
std::unexpected<Error> field_error(std::string_view path, std::string_view what);

// Whether a missing field is an error. Optional fields that are missing or null
// leave the output untouched; a required field that is missing fails with
// "<path>: missing, expected ...".
enum class Need { kOptional, kRequired };

// Each reader looks up `key` in `object`, whose own path is `path`.
Result<void> read_string(const nlohmann::json& object, std::string_view path, std::string_view key,
                         std::string& out, Need need = Need::kOptional);
Result<void> read_bool(const nlohmann::json& object, std::string_view path, std::string_view key,
                       bool& out, Need need = Need::kOptional);
Result<void> read_u32(const nlohmann::json& object, std::string_view path, std::string_view key,
                      uint32_t& out, Need need = Need::kOptional);
Result<void> read_u64(const nlohmann::json& object, std::string_view path, std::string_view key,
                      uint64_t& out, Need need = Need::kOptional);

// The array at `key`, or nullptr when it is missing or null.
Result<const nlohmann::json*> find_array(const nlohmann::json& object, std::string_view path,
                                         std::string_view key);
// The object at `key`, or nullptr when it is missing or null (unless required).
Result<const nlohmann::json*> find_object(const nlohmann::json& object, std::string_view path,
                                          std::string_view key, Need need = Need::kOptional);

// Fails with "<path>: expected an object" unless `value` is one.
Result<void> expect_object(const nlohmann::json& value, std::string_view path);

}  // namespace lmp::package
