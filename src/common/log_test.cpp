#include "common/log.h"

#include <gtest/gtest.h>
#include <unistd.h>

namespace lmp::log {
namespace {

TEST(LogTest, ParsesEveryLevelName) {
  EXPECT_EQ(parse_level("debug"), Level::kDebug);
  EXPECT_EQ(parse_level("info"), Level::kInfo);
  EXPECT_EQ(parse_level("warn"), Level::kWarn);
  EXPECT_EQ(parse_level("error"), Level::kError);
  EXPECT_EQ(parse_level("quiet"), Level::kQuiet);
  EXPECT_EQ(parse_level("verbose"), std::nullopt);
  EXPECT_EQ(parse_level(""), std::nullopt);
}

TEST(LogTest, PrefixesArePlainWhenStderrIsNoTerminal) {
  if (::isatty(2)) GTEST_SKIP() << "stderr is a terminal";
  EXPECT_EQ(error_prefix(), "error: ");
  EXPECT_EQ(warning_prefix(), "warning: ");
}

}  // namespace
}  // namespace lmp::log
