#include "output/text_format.h"

#include <algorithm>
#include <charconv>
#include <cmath>

#include "common/text_escape.h"

namespace lmp::output::detail {
namespace {

constexpr char kHex[] = "0123456789abcdef";

}  // namespace

void append_uint(std::string& out, uint64_t value) {
  char buf[24];
  auto res = std::to_chars(buf, buf + sizeof buf, value);
  out.append(buf, res.ptr);
}

void append_int(std::string& out, int64_t value) {
  char buf[24];
  auto res = std::to_chars(buf, buf + sizeof buf, value);
  out.append(buf, res.ptr);
}

void append_double(std::string& out, double value, bool json) {
  if (json && !std::isfinite(value)) {
    out += "null";
    return;
  }
  char buf[32];
  auto res = std::to_chars(buf, buf + sizeof buf, value);
  out.append(buf, res.ptr);
}

void append_hex128(std::string& out, const uint8_t* bytes) {
  out += "0x";
  for (int i = 15; i >= 0; --i) {
    out += kHex[bytes[i] >> 4];
    out += kHex[bytes[i] & 0xf];
  }
}

void append_c_string(std::string& out, std::span<const uint8_t> bytes, bool json) {
  // A C string ends at its first NUL; the rest of the array is not text.
  auto nul = std::find(bytes.begin(), bytes.end(), uint8_t{0});
  lmp::append_escaped(out, bytes.first(static_cast<size_t>(nul - bytes.begin())), json);
}

void append_json_string(std::string& out, std::string_view text) {
  out += '"';
  for (char c : text) {
    auto b = static_cast<uint8_t>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (b < 0x20) {
      char esc[6] = {'\\', 'u', '0', '0', kHex[b >> 4], kHex[b & 0xf]};
      out.append(esc, 6);
    } else {
      out += c;
    }
  }
  out += '"';
}

void append_padded(std::string& out, std::string_view text, size_t width) {
  out += text;
  if (text.size() < width) out.append(width - text.size(), ' ');
}

std::string_view TimeCache::now() {
  return at(std::time(nullptr));
}

std::string_view TimeCache::at(std::time_t seconds) {
  if (seconds != cached_) {
    std::tm tm{};
    localtime_r(&seconds, &tm);
    text_[0] = static_cast<char>('0' + tm.tm_hour / 10);
    text_[1] = static_cast<char>('0' + tm.tm_hour % 10);
    text_[2] = ':';
    text_[3] = static_cast<char>('0' + tm.tm_min / 10);
    text_[4] = static_cast<char>('0' + tm.tm_min % 10);
    text_[5] = ':';
    text_[6] = static_cast<char>('0' + tm.tm_sec / 10);
    text_[7] = static_cast<char>('0' + tm.tm_sec % 10);
    cached_ = seconds;
  }
  return std::string_view(text_, 8);
}

}  // namespace lmp::output::detail
