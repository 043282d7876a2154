#include "registry/progress.h"

#include <gtest/gtest.h>

namespace lmp::registry {
namespace {

constexpr std::string_view kLabel = "opensnoop:1.0.0 package.json";

// What a terminal of `width` columns shows: the text after the last '\r', without the
// erase-line sequence.
struct FakeTerminal {
  std::size_t width;
  std::string written;
  ProgressTarget target(bool terminal) {
    return {terminal, [this] { return width; }, [this](std::string_view s) { written += s; }};
  }
};

TEST(Progress, LineFitsEveryWidth) {
  for (std::size_t width : {1, 5, 10, 20, 25, 40, 60, 80, 200}) {
    for (auto [now, total] : {std::pair<std::uint64_t, std::uint64_t>{0, 0},
                              {512 * 1024, 2 * 1024 * 1024},
                              {3ull << 30, 3ull << 30},
                              {123456, 0}}) {
      std::string line = progress_line(kLabel, now, total, width);
      EXPECT_LE(display_width(line), width - 1) << width << ": " << line;
      EXPECT_EQ(line.find('\n'), std::string::npos);
    }
  }
}

TEST(Progress, NarrowShrinksTheBarThenTheName) {
  std::uint64_t total = 2 * 1024 * 1024;
  std::string wide = progress_line(kLabel, total / 2, total, 200);
  EXPECT_EQ(wide, std::string(kLabel) + " [" + std::string(15, '=') + std::string(15, ' ') +
                      "] 50% 1.0 MiB / 2.0 MiB");
  std::string forty = progress_line(kLabel, total / 2, total, 40);
  EXPECT_NE(forty.find("50% 1.0 MiB / 2.0 MiB"), std::string::npos) << forty;
  EXPECT_NE(forty.find("…"), std::string::npos) << forty;   // the name was cut
  EXPECT_NE(forty.find("[="), std::string::npos) << forty;  // a smaller bar stays
  std::string twenty = progress_line(kLabel, total / 2, total, 20);
  EXPECT_EQ(twenty.find('['), std::string::npos) << twenty;  // no room for a bar
  EXPECT_TRUE(twenty.ends_with(" 50%")) << twenty;
  EXPECT_TRUE(twenty.starts_with("opensnoop")) << twenty;
  // A short label is never cut while the bar can shrink.
  std::string short_label = progress_line("x.json", total / 2, total, 40);
  EXPECT_TRUE(short_label.starts_with("x.json [")) << short_label;
}

TEST(Progress, TerminalRedrawsInPlace) {
  for (std::size_t width : {20, 40, 200}) {
    FakeTerminal term{width, {}};
    {
      ProgressBar bar(std::string(kLabel), "Downloaded", term.target(true));
      bar.update(10, 100);
      bar.update(100, 100);
      bar.finish(100);
    }
    EXPECT_EQ(term.written.find('\n'), std::string::npos) << term.written;
    EXPECT_TRUE(term.written.ends_with("\r\033[K"));  // cleared when done
    std::size_t start = 0;
    while ((start = term.written.find('\r', start)) != std::string::npos) {
      std::size_t end = term.written.find("\033[K", start);
      EXPECT_LE(display_width(term.written.substr(start + 1, end - start - 1)), width - 1);
      start = end;
    }
  }
}

TEST(Progress, OffATerminalOneLinePerFinishedFile) {
  FakeTerminal pipe{0, {}};
  {
    ProgressBar bar("opensnoop/package.json", "Downloaded", pipe.target(false));
    bar.update(10, 12595);
    bar.finish(12595);
  }
  {
    ProgressBar failed("x/app.wasm", "Downloaded", pipe.target(false));
    failed.update(10, 100);  // never finished: no line
  }
  EXPECT_EQ(pipe.written, "Downloaded opensnoop/package.json 12.3 KiB\n");
}

TEST(Progress, ClipsToColumns) {
  EXPECT_EQ(clip_to_width("abcdef", 6), "abcdef");
  EXPECT_EQ(clip_to_width("abcdef", 4), "abc…");
  EXPECT_EQ(display_width("abc…"), 4u);
  EXPECT_EQ(clip_to_width("héllo", 3), "hé…");
}

}  // namespace
}  // namespace lmp::registry
