// Allocation-free text building blocks for the printers: numbers via std::to_chars, C strings
// with escapes, JSON string literals, YAML scalars, padding, cutting to a width, and per-second
// caches of the local time.
#pragma once

#include <cstdint>
#include <ctime>
#include <span>
#include <string>
#include <string_view>

namespace lmp::output::detail {

void append_uint(std::string& out, uint64_t value);
void append_int(std::string& out, int64_t value);
// Shortest round-trip form. With `json`, NaN and infinities become null.
void append_double(std::string& out, double value, bool json);
// 16-byte integers as "0x" + 32 hex digits (most significant first), host-endian input.
void append_hex128(std::string& out, const uint8_t* bytes);

// Appends the C string in `bytes` (up to the first NUL or the end). Valid UTF-8 is kept;
// control bytes, DEL and invalid UTF-8 bytes are written as the four characters \xNN.
// With `json`, the output is also safe inside a JSON string literal (" and \ escaped).
void append_c_string(std::string& out, std::span<const uint8_t> bytes, bool json);

// Appends `text` (valid UTF-8) as a quoted JSON string literal.
void append_json_string(std::string& out, std::string_view text);

// True when `text` reads back from YAML (1.1 and 1.2) as this same string without quotes: not
// empty, printable ASCII only, not starting with an indicator, a digit, a sign or a dot (no
// number or timestamp), not true/false/yes/no/on/off/y/n/null/~ in any case, no ": " or " #",
// no leading or trailing space.
bool is_yaml_plain(std::string_view text);

// Appends `text` (valid UTF-8) as a YAML scalar: plain when is_yaml_plain, else as a JSON string
// literal, which YAML reads as a double-quoted scalar.
void append_yaml_string(std::string& out, std::string_view text);

// Appends `text` and then spaces up to `width` characters (counted in bytes).
void append_padded(std::string& out, std::string_view text, size_t width);

// Characters (UTF-8 code points) in `text`: its bytes that do not continue a character.
size_t count_chars(std::string_view text);

// Cuts the text of `line` that starts at byte `from` to at most `width` characters (UTF-8
// code points): when longer, it keeps what fits in width - 1 and ends with "…" (U+2026). A
// multi-byte character is never split. Nothing changes when it fits or `width` is 0.
void fit_width(std::string& line, size_t from, size_t width);

// Appends a duration in microseconds as seconds with six decimals, "12.345678" (negative: 0).
void append_seconds(std::string& out, int64_t microseconds);

// Local wall-clock time as "HH:MM:SS"; localtime_r runs once per second at most.
class TimeCache {
 public:
  std::string_view now();
  std::string_view at(std::time_t seconds);

 private:
  std::time_t cached_ = -1;
  char text_[9] = {};
};

// Local wall-clock time in RFC 3339 with milliseconds and the zone's offset from UTC,
// "2026-12-01T11:30:00.123+01:00"; localtime_r runs once per second at most.
class Rfc3339Cache {
 public:
  static constexpr size_t kSize = 29;
  // The current time (CLOCK_REALTIME).
  std::string_view now();
  std::string_view at(std::time_t seconds, long nanoseconds);

 private:
  std::time_t cached_ = -1;
  char text_[kSize] = {};
};

}  // namespace lmp::output::detail
