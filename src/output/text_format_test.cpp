#include "output/text_format.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <regex>

namespace lmp::output::detail {
namespace {

TEST(TextFormat, YamlPlainOnlyWhenItReadsBackAsText) {
  for (const char* plain : {"bash", "SIGKILL", "O_RDONLY|O_CLOEXEC", "vfs_read+0x1a", "a b", "a:b"})
    EXPECT_TRUE(is_yaml_plain(plain)) << plain;
  for (const char* quoted :
       {"",         "yes", "No",   "ON",     "null", "~",    "y",     "true", "10.0.0.1",
        "-1",       "+1",  ".inf", "1.25ms", "a: b", "a #b", " a",    "a ",   "a:",
        "*x",       "&x",  "!x",   "[1]",    "{a}",  "'a'",  "\"a\"", "a\\b", "a\tb",
        "\xc3\xa9", "%x",  "@x",   "`x",     "|",    ">",    "- a",   "? a",  "# a"})
    EXPECT_FALSE(is_yaml_plain(quoted)) << quoted;
}

TEST(TextFormat, YamlStringQuotesAsJson) {
  std::string out;
  append_yaml_string(out, "bash");
  out += ' ';
  append_yaml_string(out, "yes");
  out += ' ';
  append_yaml_string(out, "a\"b\\c");
  EXPECT_EQ(out, "bash \"yes\" \"a\\\"b\\\\c\"");
}

TEST(TextFormat, FitWidthCutsByCharacters) {
  std::string line = "abcdef";
  fit_width(line, 0, 6);
  EXPECT_EQ(line, "abcdef");
  fit_width(line, 0, 0);
  EXPECT_EQ(line, "abcdef");
  fit_width(line, 0, 4);
  EXPECT_EQ(line, "abc\u2026");

  std::string accents = "x\xc3\xa9\xc3\xa9\xc3\xa9";  // "xééé": 4 characters, 7 bytes
  std::string same = accents;
  fit_width(same, 0, 4);
  EXPECT_EQ(same, accents);
  fit_width(accents, 0, 3);
  EXPECT_EQ(accents, "x\xc3\xa9\u2026");

  std::string prefixed = "keep|abcdef";
  fit_width(prefixed, 5, 3);
  EXPECT_EQ(prefixed, "keep|ab\u2026");

  std::string one = "abc";
  fit_width(one, 0, 1);
  EXPECT_EQ(one, "\u2026");
}

TEST(TextFormat, CountChars) {
  EXPECT_EQ(count_chars(""), 0u);
  EXPECT_EQ(count_chars("abc"), 3u);
  EXPECT_EQ(count_chars("\xc3\xa9\u2026"), 2u);
}

TEST(TextFormat, AppendSeconds) {
  std::string out;
  append_seconds(out, 12345678);
  out += ' ';
  append_seconds(out, 5);
  out += ' ';
  append_seconds(out, -3);
  EXPECT_EQ(out, "12.345678 0.000005 0.000000");
}

// Runs `test` with TZ set to `zone`, then restores it.
template <typename F>
void with_zone(const char* zone, F test) {
  const char* old = std::getenv("TZ");
  std::string saved = old ? old : "";
  setenv("TZ", zone, 1);
  tzset();
  test();
  if (old)
    setenv("TZ", saved.c_str(), 1);
  else
    unsetenv("TZ");
  tzset();
}

TEST(TextFormat, Rfc3339HasMillisecondsAndTheZone) {
  // 2026-12-01T11:30:00Z
  const std::time_t t = 1796124600;
  with_zone("UTC0", [&] {
    Rfc3339Cache cache;
    EXPECT_EQ(cache.at(t, 123456789), "2026-12-01T11:30:00.123+00:00");
    EXPECT_EQ(cache.at(t, 7000000), "2026-12-01T11:30:00.007+00:00");  // same second, cached
    EXPECT_EQ(cache.at(t + 1, 0), "2026-12-01T11:30:01.000+00:00");
  });
  with_zone("XYZ-5:30", [&] {
    Rfc3339Cache cache;
    EXPECT_EQ(cache.at(t, 0), "2026-12-01T17:00:00.000+05:30");
  });
  with_zone("ABC3", [&] {
    Rfc3339Cache cache;
    EXPECT_EQ(cache.at(t, 999999999), "2026-12-01T08:30:00.999-03:00");
  });
  Rfc3339Cache now;
  EXPECT_TRUE(std::regex_match(
      std::string(now.now()),
      std::regex("[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}\\.[0-9]{3}[+-][0-9]{2}:[0-9]{2}")));
}

TEST(TextFormat, TimeCacheKeepsItsForm) {
  with_zone("UTC0", [] {
    TimeCache cache;
    EXPECT_EQ(cache.at(1796124600), "11:30:00");
  });
}

}  // namespace
}  // namespace lmp::output::detail
