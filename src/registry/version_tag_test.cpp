#include "registry/version_tag.h"

#include <gtest/gtest.h>

namespace lmp::registry {
namespace {

const std::vector<std::string> kVersions = {"0.9.0",      "1.0.0", "1.2.0", "1.2.5",
                                            "2.0.0-rc.1", "2.0.1", "2.1.0", "3.0.0-rc.1"};

TEST(VersionTag, PicksLikeDocker) {
  EXPECT_EQ(pick_version("", kVersions), "2.1.0");
  EXPECT_EQ(pick_version("latest", kVersions), "2.1.0");
  EXPECT_EQ(pick_version("1", kVersions), "1.2.5");
  EXPECT_EQ(pick_version("v1", kVersions), "1.2.5");
  EXPECT_EQ(pick_version("1.2", kVersions), "1.2.5");
  EXPECT_EQ(pick_version("v1.2", kVersions), "1.2.5");
  EXPECT_EQ(pick_version("2.0", kVersions), "2.0.1");  // the release, not the prerelease
  EXPECT_EQ(pick_version("1.2.0", kVersions), "1.2.0");
  EXPECT_EQ(pick_version("v1.2.0", kVersions), "1.2.0");
  EXPECT_EQ(pick_version("3", kVersions), "3.0.0-rc.1");  // only a prerelease: that one
  EXPECT_EQ(pick_version("2.0.0-rc.1", kVersions), "2.0.0-rc.1");
}

TEST(VersionTag, UnknownTagsPickNothing) {
  for (const char* tag : {"4", "1.3", "1.2.9", "beta", "v", "01", "1.2.3.4", "v1.x"})
    EXPECT_EQ(pick_version(tag, kVersions), "") << tag;
}

TEST(VersionTag, Classifies) {
  for (const char* tag : {"", "latest", "1", "v2", "2.0", "1.2.3", "v1.2.3-rc.1"})
    EXPECT_TRUE(is_version_tag(tag)) << tag;
  for (const char* tag : {"beta", "v", "x1", "1.2.3.4"}) EXPECT_FALSE(is_version_tag(tag)) << tag;
  EXPECT_TRUE(is_tag("Beta_1.x-2"));
  for (const char* tag : {"", ".1", "-a", "a/b", "a:b"}) EXPECT_FALSE(is_tag(tag)) << tag;
  EXPECT_FALSE(is_tag(std::string(129, 'a')));
}

}  // namespace
}  // namespace lmp::registry
