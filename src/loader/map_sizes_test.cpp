#include "loader/map_sizes.h"

#include <gtest/gtest.h>

namespace lmp::loader {
namespace {

TEST(MapSizes, ParsesNameEqualsCount) {
  auto sizes = parse_map_sizes({"counts=100", "stacks=4294967295"});
  ASSERT_TRUE(sizes.has_value());
  ASSERT_EQ(sizes->size(), 2u);
  EXPECT_EQ((*sizes)[0].map, "counts");
  EXPECT_EQ((*sizes)[0].max_entries, 100u);
  EXPECT_EQ((*sizes)[1].max_entries, 4294967295u);
}

TEST(MapSizes, RefusesMalformedTexts) {
  for (const char* text : {"counts", "counts=", "=5", "counts=0", "counts=-1", "counts=abc",
                           "counts=4294967296", "counts=12x"}) {
    auto sizes = parse_map_sizes({text});
    ASSERT_FALSE(sizes.has_value()) << text;
    EXPECT_EQ(sizes.error().code, ExitCode::kUsage);
    EXPECT_NE(sizes.error().message.find(text), std::string::npos);
  }
}

}  // namespace
}  // namespace lmp::loader
