#include "registry/semver.h"

#include <gtest/gtest.h>

namespace lmp::registry {
namespace {

TEST(Semver, Parse) {
  EXPECT_TRUE(parse_semver("1.2.3"));
  EXPECT_TRUE(parse_semver("0.0.0-alpha.1+build.7"));
  for (const char* bad : {"1.2", "01.2.3", "1.2.3-", "1.2.3-01", "v1.2.3", "1.2.3+", "a.b.c", ""})
    EXPECT_FALSE(parse_semver(bad)) << bad;
}

TEST(Semver, Precedence) {
  // semver.org's example order.
  const char* ordered[] = {"1.0.0-alpha",  "1.0.0-alpha.1", "1.0.0-alpha.beta", "1.0.0-beta",
                           "1.0.0-beta.2", "1.0.0-beta.11", "1.0.0-rc.1",       "1.0.0",
                           "1.0.1",        "1.2.0",         "1.10.0",           "2.0.0"};
  for (std::size_t i = 0; i + 1 < std::size(ordered); ++i)
    EXPECT_TRUE(compare_versions(ordered[i], ordered[i + 1]) < 0) << ordered[i];
  EXPECT_TRUE(compare_versions("1.0.0+a", "1.0.0+b") == 0);
  EXPECT_TRUE(compare_versions("0.0.1", "not-a-version") > 0);
}

TEST(Semver, Highest) {
  EXPECT_EQ(highest_version({"1.0.0", "1.10.0", "1.9.0", "2.0.0-rc.1"}), "1.10.0");
  EXPECT_EQ(highest_version({"2.0.0-rc.1", "2.0.0-beta"}), "2.0.0-rc.1");
  EXPECT_EQ(highest_version({}), "");
}

}  // namespace
}  // namespace lmp::registry
