#include "output/text_format.h"

#include <charconv>
#include <cmath>

namespace lmp::output::detail {
namespace {

constexpr char kHex[] = "0123456789abcdef";

// The four characters \xNN; inside a JSON literal the backslash itself is escaped.
void append_escaped_byte(std::string& out, uint8_t byte, bool json) {
  if (json) out += '\\';
  char esc[4] = {'\\', 'x', kHex[byte >> 4], kHex[byte & 0xf]};
  out.append(esc, 4);
}

// Length of the valid UTF-8 sequence starting at p[0] (>= 0x80), or 0 when invalid.
size_t utf8_sequence(const uint8_t* p, size_t n) {
  auto cont = [&](size_t i, uint8_t lo = 0x80, uint8_t hi = 0xbf) {
    return i < n && p[i] >= lo && p[i] <= hi;
  };
  uint8_t b = p[0];
  if (b >= 0xc2 && b <= 0xdf) return cont(1) ? 2 : 0;
  if (b == 0xe0) return cont(1, 0xa0) && cont(2) ? 3 : 0;
  if (b == 0xed) return cont(1, 0x80, 0x9f) && cont(2) ? 3 : 0;
  if (b >= 0xe1 && b <= 0xef) return cont(1) && cont(2) ? 3 : 0;
  if (b == 0xf0) return cont(1, 0x90) && cont(2) && cont(3) ? 4 : 0;
  if (b >= 0xf1 && b <= 0xf3) return cont(1) && cont(2) && cont(3) ? 4 : 0;
  if (b == 0xf4) return cont(1, 0x80, 0x8f) && cont(2) && cont(3) ? 4 : 0;
  return 0;
}

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
  const uint8_t* p = bytes.data();
  size_t n = bytes.size();
  size_t i = 0;
  while (i < n && p[i] != 0) {
    size_t run = i;  // the common case: printable ASCII, appended as one chunk
    while (run < n && p[run] >= 0x20 && p[run] < 0x7f &&
           !(json && (p[run] == '"' || p[run] == '\\')))
      ++run;
    out.append(reinterpret_cast<const char*>(p + i), run - i);
    i = run;
    if (i >= n || p[i] == 0) break;
    uint8_t b = p[i];
    if (b == '"' || b == '\\') {
      out += '\\';
      out += static_cast<char>(b);
      ++i;
    } else if (b >= 0x80) {
      size_t len = utf8_sequence(p + i, n - i);
      if (len == 0) {
        append_escaped_byte(out, b, json);
        ++i;
      } else {
        out.append(reinterpret_cast<const char*>(p + i), len);
        i += len;
      }
    } else {
      append_escaped_byte(out, b, json);  // control character or DEL
      ++i;
    }
  }
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
