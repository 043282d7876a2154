#include "output/histogram.h"

#include <gtest/gtest.h>

namespace lmp::output::detail {
namespace {

TEST(OutputHistogram, Log2MatchesBccLayout) {
  std::vector<uint64_t> counts = {0, 4, 8, 1, 0, 0};  // trailing zeros are trimmed
  std::string out;
  render_log2_hist(out, counts, "usecs");
  EXPECT_EQ(out,
            "     usecs               : count    distribution\n"
            "         0 -> 1          : 0        |                                        |\n"
            "         2 -> 3          : 4        |********************                    |\n"
            "         4 -> 7          : 8        |****************************************|\n"
            "         8 -> 15         : 1        |*****                                   |\n");
}

TEST(OutputHistogram, Log2WidensPast32Bits) {
  std::vector<uint64_t> counts(40, 0);
  counts[33] = 2;
  std::string out;
  render_log2_hist(out, counts, "nsecs");
  std::string first_line = out.substr(0, out.find('\n'));
  EXPECT_EQ(first_line,
            std::string(15, ' ') + "nsecs" + std::string(24, ' ') + " : count    distribution");
  EXPECT_NE(out.find("          8589934592 -> 17179869183          : 2        "
                     "|********************|\n"),
            std::string::npos);
}

TEST(OutputHistogram, AllZeroPrintsNothing) {
  std::vector<uint64_t> counts(8, 0);
  std::string out;
  render_log2_hist(out, counts, "usecs");
  render_linear_hist(out, counts, "usecs");
  EXPECT_EQ(out, "");
  EXPECT_TRUE(log2_buckets(counts).empty());
}

TEST(OutputHistogram, LinearFromFirstToLastNonZero) {
  std::vector<uint64_t> counts = {0, 0, 3, 0, 6, 0};
  std::string out;
  render_linear_hist(out, counts, "value");
  EXPECT_EQ(out,
            "     value         : count     distribution\n"
            "        2          : 3        |********************                    |\n"
            "        3          : 0        |                                        |\n"
            "        4          : 6        |****************************************|\n");
}

TEST(OutputHistogram, Log2BucketBounds) {
  std::vector<uint64_t> counts(64, 1);
  auto buckets = log2_buckets(counts);
  ASSERT_EQ(buckets.size(), 64u);
  EXPECT_EQ(buckets[0].low, 0u);
  EXPECT_EQ(buckets[0].high, 1u);
  EXPECT_EQ(buckets[10].low, 1024u);
  EXPECT_EQ(buckets[10].high, 2047u);
  EXPECT_EQ(buckets[63].high, UINT64_MAX);
}

TEST(OutputHistogram, BarsShrinkToTheWidth) {
  std::vector<uint64_t> counts = {0, 4, 8};
  std::string out;
  render_log2_hist(out, counts, "usecs", 48);  // 38 columns of numbers, 10 of bar
  EXPECT_EQ(out,
            "     usecs               : count    distribution\n"
            "         0 -> 1          : 0        |          |\n"
            "         2 -> 3          : 4        |*****     |\n"
            "         4 -> 7          : 8        |**********|\n");
  out.clear();
  render_linear_hist(out, counts, "value", 0, 1, 40);  // no room for "distribution"
  EXPECT_EQ(out,
            "     value         : count\n"
            "        1          : 4        |****    |\n"
            "        2          : 8        |********|\n");
}

TEST(OutputHistogram, NarrowWidthKeepsOneStarColumn) {
  std::vector<uint64_t> counts = {123456789012};  // a count wider than its column
  std::string out;
  render_log2_hist(out, counts, "usecs", 30);
  EXPECT_EQ(out,
            "     usecs               : count\n"
            "         0 -> 1          : 123456789012 |*|\n");
}

}  // namespace
}  // namespace lmp::output::detail
