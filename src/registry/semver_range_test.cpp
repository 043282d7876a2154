#include "registry/semver_range.h"

#include <gtest/gtest.h>

namespace lmp::registry {
namespace {

bool sat(const char* range, const char* version) {
  auto parsed = SemverRange::parse(range);
  EXPECT_TRUE(parsed) << range << ": " << parsed.error().message;
  return parsed && parsed->satisfies(std::string_view(version));
}

TEST(SemverRange, Caret) {
  EXPECT_TRUE(sat("^1.2.3", "1.2.3"));
  EXPECT_TRUE(sat("^1.2.3", "1.9.0"));
  EXPECT_FALSE(sat("^1.2.3", "1.2.2"));
  EXPECT_FALSE(sat("^1.2.3", "2.0.0"));
  EXPECT_TRUE(sat("^0.1", "0.1.0"));
  EXPECT_TRUE(sat("^0.1", "0.1.7"));
  EXPECT_FALSE(sat("^0.1", "0.2.0"));
  EXPECT_TRUE(sat("^0.2.3", "0.2.9"));
  EXPECT_FALSE(sat("^0.2.3", "0.3.0"));
  EXPECT_TRUE(sat("^0.0.3", "0.0.3"));
  EXPECT_FALSE(sat("^0.0.3", "0.0.4"));
  EXPECT_TRUE(sat("^0", "0.9.9"));
  EXPECT_FALSE(sat("^0", "1.0.0"));
  EXPECT_TRUE(sat("^1", "1.5.0"));
  EXPECT_TRUE(sat("^1.x", "1.5.0"));
}

TEST(SemverRange, TildeAndComparators) {
  EXPECT_TRUE(sat("~1.2", "1.2.9"));
  EXPECT_FALSE(sat("~1.2", "1.3.0"));
  EXPECT_TRUE(sat("~1.2.3", "1.2.4"));
  EXPECT_FALSE(sat("~1.2.3", "1.2.2"));
  EXPECT_TRUE(sat("~1", "1.9.0"));
  EXPECT_TRUE(sat(">=1.0.0", "7.0.0"));
  EXPECT_FALSE(sat(">=1.0.0", "0.9.0"));
  EXPECT_FALSE(sat(">1", "1.9.9"));
  EXPECT_TRUE(sat(">1", "2.0.0"));
  EXPECT_TRUE(sat(">1.2.3", "1.2.4"));
  EXPECT_TRUE(sat("<2", "1.99.0"));
  EXPECT_FALSE(sat("<2", "2.0.0"));
  EXPECT_TRUE(sat("<=1.4", "1.4.9"));
  EXPECT_FALSE(sat("<=1.4", "1.5.0"));
  EXPECT_TRUE(sat("<=1.4.0", "1.4.0"));
  EXPECT_TRUE(sat(">= 1.0 <2.0", "1.5.0"));
  EXPECT_FALSE(sat(">=1.0 <2.0", "2.0.0"));
  EXPECT_TRUE(sat("<1 || >=3", "3.1.0"));
  EXPECT_FALSE(sat("<1 || >=3", "2.0.0"));
}

TEST(SemverRange, ExactAndAny) {
  EXPECT_TRUE(sat("1.2.3", "1.2.3"));
  EXPECT_FALSE(sat("1.2.3", "1.2.4"));
  EXPECT_TRUE(sat("=1.2.3", "1.2.3"));
  EXPECT_TRUE(sat("v1.2.3", "1.2.3"));
  EXPECT_TRUE(sat("1.2", "1.2.8"));
  EXPECT_TRUE(sat("*", "0.0.1"));
  EXPECT_TRUE(sat("", "42.0.0"));
  EXPECT_TRUE(sat("x", "1.0.0"));
  EXPECT_FALSE(sat("*", "not-a-version"));
}

TEST(SemverRange, Prereleases) {
  EXPECT_FALSE(sat("^1.0.0", "2.0.0-rc.1"));
  EXPECT_FALSE(sat("^1.0.0", "1.5.0-beta"));
  EXPECT_FALSE(sat("*", "1.0.0-rc.1"));
  EXPECT_TRUE(sat("^1.2.3-beta.2", "1.2.3-beta.4"));
  EXPECT_FALSE(sat("^1.2.3-beta.2", "1.2.4-beta.1"));
  EXPECT_TRUE(sat("^1.2.3-beta.2", "1.2.4"));
  EXPECT_TRUE(sat(">=2.0.0-rc.1", "2.0.0-rc.2"));
}

TEST(SemverRange, BadRanges) {
  for (const char* bad :
       {"^", "1.2.3.4", "abc", "^1.x.2", "1.2-rc", "01.2", ">=1.0 ||", "1 - 2", "1.", "^1.2.3-"}) {
    auto parsed = SemverRange::parse(bad);
    ASSERT_FALSE(parsed) << bad;
    EXPECT_EQ(parsed.error().code, ExitCode::kBadPackage);
    EXPECT_NE(parsed.error().message.find("version range"), std::string::npos)
        << parsed.error().message;
  }
}

TEST(SemverRange, MaxSatisfying) {
  std::vector<std::string> versions = {"0.1.0", "0.1.5", "0.2.0", "1.0.0", "1.4.2", "2.0.0-rc.1"};
  EXPECT_EQ(max_satisfying(*SemverRange::parse("^0.1"), versions), "0.1.5");
  EXPECT_EQ(max_satisfying(*SemverRange::parse("^1.0"), versions), "1.4.2");
  EXPECT_EQ(max_satisfying(*SemverRange::parse("*"), versions), "1.4.2");
  EXPECT_EQ(max_satisfying(*SemverRange::parse("^3"), versions), "");
  EXPECT_EQ(max_satisfying({*SemverRange::parse(">=0.1"), *SemverRange::parse("<1")}, versions),
            "0.2.0");
}

}  // namespace
}  // namespace lmp::registry
