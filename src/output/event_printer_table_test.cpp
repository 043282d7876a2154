// The table's width limit and colour.
#include <gtest/gtest.h>

#include <sstream>

#include "common/terminal.h"
#include "output/output.h"
#include "output/test_event.h"

namespace lmp::output {
namespace {

using testing::EventBtf;

// The header and one row, printed with `width` columns and no time column.
std::string table(const EventBtf& e, size_t width, const std::vector<uint8_t>& data,
                  bool color = false) {
  PrintOptions options(Format::kTable);
  options.timestamp = TimestampMode::kNone;
  options.width = width;
  options.color = color;
  std::ostringstream out;
  auto printer = EventPrinter::create(e.btf.get(), e.type(), options, true, out);
  EXPECT_TRUE(printer);
  if (!printer) return {};
  (*printer)->print(data);
  return out.str();
}

TEST(EventPrinterTable, WideEnoughRowsAreUnchanged) {
  EventBtf e;
  EXPECT_EQ(table(e, 200, testing::event_sample()), table(e, 0, testing::event_sample()));
}

TEST(EventPrinterTable, TheLastColumnIsCutWithAnEllipsis) {
  EventBtf e;
  // "PID     TS      COMM            STATE   OK      FLAGS   PAIR" is 60 characters; the
  // row's PAIR cell {"a":-1,"b":2} starts at 63.
  EXPECT_EQ(table(e, 70, testing::event_sample()),
            "PID     TS      COMM            STATE   OK      FLAGS   PAIR\n"
            "1234    987654321 bash            SLEEPING true    11      {\"a\":-1,\"b\u2026\n");
}

TEST(EventPrinterTable, FixedColumnsWiderThanTheTerminalAreCut) {
  EventBtf e;
  EXPECT_EQ(table(e, 12, testing::event_sample()),
            "PID     TS \u2026\n"
            "1234    987\u2026\n");
}

TEST(EventPrinterTable, MultiByteCharactersAreNeverSplit) {
  EventBtf e;
  auto d = testing::event_sample();
  testing::put_text(d, 16, "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9", 16);  // "éééé"
  std::string text = table(e, 21, d);
  // 18 characters before COMM; 2 more fit before the ellipsis.
  EXPECT_EQ(text.substr(text.find('\n') + 1), "1234    987654321 \xc3\xa9\xc3\xa9\u2026\n");
}

TEST(EventPrinterTable, TextIsPaddedByCharacters) {
  EventBtf e;
  auto d = testing::event_sample();
  testing::put_text(d, 16, "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9", 16);  // "éééé", as wide as "bash"
  std::string text = table(e, 0, d);
  EXPECT_EQ(
      text.substr(text.find('\n') + 1),
      "1234    987654321 \xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9            SLEEPING true    11      "
      "{\"a\":-1,\"b\":2}\n");
}

TEST(EventPrinterTable, HeaderIsBoldWithColour) {
  EventBtf e;
  std::string text = table(e, 0, testing::event_sample(), true);
  std::string header = text.substr(0, text.find('\n'));
  EXPECT_TRUE(header.starts_with(std::string(terminal::kBold) + "PID ")) << header;
  EXPECT_TRUE(header.ends_with(std::string("PAIR") + std::string(terminal::kReset))) << header;
  // Rows carry no escape sequences.
  EXPECT_EQ(text.substr(text.find('\n') + 1).find('\x1b'), std::string::npos);
}

}  // namespace
}  // namespace lmp::output
