// Reading one column's value out of an event's bytes: as the raw value (table text, JSON or
// YAML), as its decoded text, or as a number for comparisons. Internal to the output module.
// `data` always holds the record up to the column (a trailing array may be cut short; the
// printers skip records shorter than that).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>

#include "output/event_columns.h"

namespace lmp::output::detail {

// Appends the raw value: integers in decimal, bool as true/false, enums by name (number when
// no name matches), floats shortest, 128-bit integers in hex, char arrays as escaped text,
// nested values as compact JSON. With `json`, a valid JSON value (strings quoted).
void append_raw(std::string& out, const btf* btf, const Column& column,
                std::span<const uint8_t> data, bool json);

// Appends the raw value as a YAML value: text and enum names as YAML strings (quoted when
// needed), everything else as in JSON (flow JSON is YAML). `scratch` is reused memory.
void append_raw_yaml(std::string& out, std::string& scratch, const btf* btf, const Column& column,
                     std::span<const uint8_t> data);

// The column's decoded text (format_value); nullopt when its format is raw or the value has no
// text. `family` is the struct's address family column, when it has one (for kIp).
// `pid`: the event's process, for user addresses (ustack).
std::optional<std::string> decoded_text(const Column& column, std::span<const uint8_t> data,
                                        const Column* family,
                                        std::optional<int64_t> pid = std::nullopt);

// A raw value as a number. Integers, bools, enums and pointers are exact (`integer` holds any
// signed or unsigned 64-bit value); floats are `real`.
struct RawNumber {
  bool is_real = false;
  __int128 integer = 0;
  double real = 0;
};

// True when raw_number reads the column: all but text, 128-bit and nested columns.
bool has_number(const Column& column);

// The column's raw value as a number; nullopt when !has_number.
std::optional<RawNumber> raw_number(const Column& column, std::span<const uint8_t> data);

// -1, 0 or 1 as a is less than, equal to or greater than b; 2 when unordered (a NaN).
int compare(const RawNumber& a, const RawNumber& b);

}  // namespace lmp::output::detail
