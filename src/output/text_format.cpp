#include "output/text_format.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <cmath>
#include <ctime>

#include "common/text_escape.h"

namespace lmp::output::detail {
namespace {

constexpr char kHex[] = "0123456789abcdef";

// Writes `value` (0..99) as two digits.
void put2(char* at, int value) {
  at[0] = static_cast<char>('0' + value / 10 % 10);
  at[1] = static_cast<char>('0' + value % 10);
}

bool is_yaml_keyword(std::string_view text) {
  static constexpr std::array<std::string_view, 10> kWords = {"true", "false", "yes", "no",   "on",
                                                              "off",  "y",     "n",   "null", "~"};
  if (text.size() > 5) return false;
  std::string lower(text);
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return std::find(kWords.begin(), kWords.end(), lower) != kWords.end();
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

bool is_yaml_plain(std::string_view text) {
  // Characters that start something else in YAML, and what could read as a number or date.
  constexpr std::string_view kBadFirst = "-?:,[]{}#&*!|>'\"%@`<=+.~ 0123456789";
  if (text.empty() || kBadFirst.find(text.front()) != std::string_view::npos) return false;
  if (text.back() == ' ' || text.back() == ':') return false;
  for (char c : text)
    if (c < 0x20 || c > 0x7e || c == '\\' || c == '"') return false;
  if (text.find(": ") != std::string_view::npos || text.find(" #") != std::string_view::npos)
    return false;
  return !is_yaml_keyword(text);
}

void append_yaml_string(std::string& out, std::string_view text) {
  if (is_yaml_plain(text))
    out += text;
  else
    append_json_string(out, text);
}

void append_padded(std::string& out, std::string_view text, size_t width) {
  out += text;
  if (text.size() < width) out.append(width - text.size(), ' ');
}

size_t count_chars(std::string_view text) {
  return static_cast<size_t>(std::count_if(
      text.begin(), text.end(), [](char c) { return (static_cast<uint8_t>(c) & 0xc0) != 0x80; }));
}

void fit_width(std::string& line, size_t from, size_t width) {
  if (width == 0 || line.size() - from <= width) return;  // bytes >= characters
  size_t chars = 0;
  size_t keep = line.size();  // where the character number `width` starts
  for (size_t i = from; i < line.size(); ++i) {
    if ((static_cast<uint8_t>(line[i]) & 0xc0) == 0x80) continue;  // a continuation byte
    if (chars == width - 1) keep = i;
    if (++chars > width) break;
  }
  if (chars <= width) return;
  line.resize(keep);
  line += "\u2026";
}

void append_seconds(std::string& out, int64_t microseconds) {
  if (microseconds < 0) microseconds = 0;
  append_int(out, microseconds / 1000000);
  char fraction[7];
  int64_t rest = microseconds % 1000000;
  for (int i = 5; i >= 0; --i, rest /= 10) fraction[i] = static_cast<char>('0' + rest % 10);
  fraction[6] = '\0';
  out += '.';
  out.append(fraction, 6);
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

std::string_view Rfc3339Cache::now() {
  timespec ts{};
  clock_gettime(CLOCK_REALTIME, &ts);
  return at(ts.tv_sec, ts.tv_nsec);
}

std::string_view Rfc3339Cache::at(std::time_t seconds, long nanoseconds) {
  if (seconds != cached_) {
    std::tm tm{};
    localtime_r(&seconds, &tm);
    // "YYYY-MM-DDTHH:MM:SS.mmm+HH:MM"; the milliseconds (offset 20) change on every call.
    int year = tm.tm_year + 1900;
    put2(text_, year / 100);
    put2(text_ + 2, year % 100);
    text_[4] = '-';
    put2(text_ + 5, tm.tm_mon + 1);
    text_[7] = '-';
    put2(text_ + 8, tm.tm_mday);
    text_[10] = 'T';
    put2(text_ + 11, tm.tm_hour);
    text_[13] = ':';
    put2(text_ + 14, tm.tm_min);
    text_[16] = ':';
    put2(text_ + 17, tm.tm_sec);
    text_[19] = '.';
    long offset = tm.tm_gmtoff / 60;  // minutes east of UTC
    text_[23] = offset < 0 ? '-' : '+';
    if (offset < 0) offset = -offset;
    put2(text_ + 24, static_cast<int>(offset / 60));
    text_[26] = ':';
    put2(text_ + 27, static_cast<int>(offset % 60));
    cached_ = seconds;
  }
  long ms = nanoseconds / 1000000;
  text_[20] = static_cast<char>('0' + ms / 100 % 10);
  text_[21] = static_cast<char>('0' + ms / 10 % 10);
  text_[22] = static_cast<char>('0' + ms % 10);
  return std::string_view(text_, kSize);
}

}  // namespace lmp::output::detail
