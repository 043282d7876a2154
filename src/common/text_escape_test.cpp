#include "common/text_escape.h"

#include <gtest/gtest.h>

namespace lmp {
namespace {

TEST(TextEscape, KeepsPrintableTextAndUtf8) {
  EXPECT_EQ(escape_text("plain text, ünïcode ✓"), "plain text, ünïcode ✓");
  EXPECT_EQ(escape_text(""), "");
}

TEST(TextEscape, EscapesTerminalControls) {
  EXPECT_EQ(escape_text("\x1b]0;pwned\x07title"), "\\x1b]0;pwned\\x07title");
  EXPECT_EQ(escape_text("a\rb\tc\x7f"), "a\\x0db\\x09c\\x7f");
  EXPECT_EQ(escape_text(std::string("nul\0byte", 8)), "nul\\x00byte");
  EXPECT_EQ(escape_text("bad \xff utf8 \xc3"), "bad \\xff utf8 \\xc3");
  EXPECT_EQ(escape_text("\xc2\x9b"
                        "31m"),
            "\\xc2\\x9b31m");  // C1 CSI, valid UTF-8
}

TEST(TextEscape, LinesKeepNewlines) {
  EXPECT_EQ(escape_lines("one\ntwo\x1b[2J\n"), "one\ntwo\\x1b[2J\n");
}

TEST(TextEscape, JsonModeIsSafeInsideALiteral) {
  std::string out;
  std::string_view text = "q\"\\\x01";
  append_escaped(out, {reinterpret_cast<const std::uint8_t*>(text.data()), text.size()}, true);
  EXPECT_EQ(out, "q\\\"\\\\\\\\x01");
}

}  // namespace
}  // namespace lmp
