// Allocation-free text building blocks for the printers: numbers via std::to_chars, C strings
// with escapes, JSON string literals, padding, and a per-second cache of the local time.
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

// Appends `text` and then spaces up to `width` characters (counted in bytes).
void append_padded(std::string& out, std::string_view text, size_t width);

// Local wall-clock time as "HH:MM:SS"; localtime_r runs once per second at most.
class TimeCache {
 public:
  std::string_view now();
  std::string_view at(std::time_t seconds);

 private:
  std::time_t cached_ = -1;
  char text_[9] = {};
};

}  // namespace lmp::output::detail
