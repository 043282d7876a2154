#include "common/text_escape.h"

namespace lmp {
namespace {

constexpr char kHex[] = "0123456789abcdef";

// The four characters \xNN; inside a JSON literal the backslash itself is escaped.
void append_escaped_byte(std::string& out, std::uint8_t byte, bool json) {
  if (json) out += '\\';
  char esc[4] = {'\\', 'x', kHex[byte >> 4], kHex[byte & 0xf]};
  out.append(esc, 4);
}

// Length of the valid UTF-8 sequence starting at p[0] (>= 0x80), or 0 when invalid.
std::size_t utf8_sequence(const std::uint8_t* p, std::size_t n) {
  auto cont = [&](std::size_t i, std::uint8_t lo = 0x80, std::uint8_t hi = 0xbf) {
    return i < n && p[i] >= lo && p[i] <= hi;
  };
  std::uint8_t b = p[0];
  if (b >= 0xc2 && b <= 0xdf) return cont(1) ? 2 : 0;
  if (b == 0xe0) return cont(1, 0xa0) && cont(2) ? 3 : 0;
  if (b == 0xed) return cont(1, 0x80, 0x9f) && cont(2) ? 3 : 0;
  if (b >= 0xe1 && b <= 0xef) return cont(1) && cont(2) ? 3 : 0;
  if (b == 0xf0) return cont(1, 0x90) && cont(2) && cont(3) ? 4 : 0;
  if (b >= 0xf1 && b <= 0xf3) return cont(1) && cont(2) && cont(3) ? 4 : 0;
  if (b == 0xf4) return cont(1, 0x80, 0x8f) && cont(2) && cont(3) ? 4 : 0;
  return 0;
}

std::span<const std::uint8_t> bytes_of(std::string_view text) {
  return {reinterpret_cast<const std::uint8_t*>(text.data()), text.size()};
}

}  // namespace

void append_escaped(std::string& out, std::span<const std::uint8_t> bytes, bool json) {
  const std::uint8_t* p = bytes.data();
  std::size_t n = bytes.size();
  std::size_t i = 0;
  while (i < n) {
    std::size_t run = i;  // the common case: printable ASCII, appended as one chunk
    while (run < n && p[run] >= 0x20 && p[run] < 0x7f &&
           !(json && (p[run] == '"' || p[run] == '\\')))
      ++run;
    out.append(reinterpret_cast<const char*>(p + i), run - i);
    i = run;
    if (i >= n) break;
    std::uint8_t b = p[i];
    if (b == '"' || b == '\\') {
      out += '\\';
      out += static_cast<char>(b);
      ++i;
    } else if (b >= 0x80) {
      std::size_t len = utf8_sequence(p + i, n - i);
      if (len == 0) {
        append_escaped_byte(out, b, json);
        ++i;
      } else if (b == 0xc2 && p[i + 1] < 0xa0) {  // a C1 control (U+0080..U+009F), e.g. CSI
        append_escaped_byte(out, b, json);
        append_escaped_byte(out, p[i + 1], json);
        i += 2;
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

std::string escape_text(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  append_escaped(out, bytes_of(text));
  return out;
}

std::string escape_lines(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (;;) {
    std::size_t nl = text.find('\n');
    append_escaped(out, bytes_of(text.substr(0, nl)));
    if (nl == std::string_view::npos) return out;
    out += '\n';
    text.remove_prefix(nl + 1);
  }
}

}  // namespace lmp
