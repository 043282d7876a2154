#include "common/terminal.h"

#include <gtest/gtest.h>

namespace lmp::terminal {
namespace {

TEST(WrapText, ShortLinesAndWidthZeroStayAsTheyAre) {
  EXPECT_EQ(wrap_text("a b c\nd e\n", 0), "a b c\nd e\n");
  EXPECT_EQ(wrap_text("a b c\nd e\n", 10), "a b c\nd e\n");
  EXPECT_EQ(wrap_text("", 10), "");
}

TEST(WrapText, ProseBreaksAtSpacesAndKeepsItsIndent) {
  EXPECT_EQ(wrap_text("one two three four", 9), "one two\nthree\nfour");
  EXPECT_EQ(wrap_text("  one two three four", 14), "  one two\n  three four");
  // A paragraph reflows: the rest of a long line joins the next line of it.
  EXPECT_EQ(wrap_text("aaa bbb ccc\nddd eee\n\nfff", 8), "aaa bbb\nccc ddd\neee\n\nfff");
  EXPECT_EQ(wrap_text("aaa bbb ccc\nUsage: x", 8), "aaa bbb\nccc\nUsage: x");
}

TEST(WrapText, OptionLinesHangUnderTheirDescription) {
  std::string text = "  -p, --pid PID    only this process and its threads\n";
  std::string wrapped = wrap_text(text, 36);
  EXPECT_EQ(wrapped,
            "  -p, --pid PID    only this process\n"
            "                   and its threads\n");
  EXPECT_EQ(wrap_text(text, 24),  // no room beside the options: continue at the indent
            "  -p, --pid PID    only\n  this process and its\n  threads\n");
  for (size_t start = 0, end; (end = wrapped.find('\n', start)) != std::string::npos;
       start = end + 1)
    EXPECT_LE(end - start, 36u) << wrapped;
}

TEST(WrapText, ALongWordStaysWholeAndNarrowWidthsEnd) {
  EXPECT_EQ(wrap_text("see https://example.com/a/very/long/path now", 10),
            "see\nhttps://example.com/a/very/long/path\nnow");
  std::string text = "  --timestamp MODE  time (default: local HH:MM:SS) | iso | relative";
  for (size_t width = 1; width < 80; ++width) EXPECT_FALSE(wrap_text(text, width).empty());
}

}  // namespace
}  // namespace lmp::terminal
