#include "hub/svg_chart.h"

#include <gtest/gtest.h>

#include <vector>

namespace lmp::hub {
namespace {

std::size_t count(const std::string& text, std::string_view part) {
  std::size_t n = 0;
  for (std::size_t at = text.find(part); at != std::string::npos; at = text.find(part, at + 1)) {
    ++n;
  }
  return n;
}

TEST(SvgChartTest, OneBarWithTitlePerDay) {
  std::vector<DayCount> days;
  for (int i = 0; i < 30; ++i) days.push_back({20759 + i, i % 5});
  std::string svg = render_downloads_chart(days);
  EXPECT_TRUE(svg.starts_with("<svg "));
  EXPECT_TRUE(svg.ends_with("</svg>"));
  EXPECT_EQ(count(svg, "class=\"chart-bar\""), 30u);
  EXPECT_EQ(count(svg, "<title>"), 31u);  // the chart's own and one per day
  EXPECT_NE(svg.find("<title>2026-11-03: 1 download</title>"), std::string::npos);
  EXPECT_NE(svg.find("<title>2026-11-05: 3 downloads</title>"), std::string::npos);
  EXPECT_NE(svg.find("aria-label=\"60 downloads in the last 30 days\""), std::string::npos);
  // Axis labels: 0, the maximum, the first and last dates.
  EXPECT_NE(svg.find(">4</text>"), std::string::npos);
  EXPECT_NE(svg.find(">2026-11-02</text>"), std::string::npos);
  EXPECT_NE(svg.find(">2026-12-01</text>"), std::string::npos);
  EXPECT_EQ(svg.find("style="), std::string::npos);
}

TEST(SvgChartTest, ZeroDownloadsDrawNoHeight) {
  std::vector<DayCount> days = {{20788, 0}, {20789, 0}};
  std::string svg = render_downloads_chart(days);
  EXPECT_EQ(count(svg, "height=\"0.0\""), 2u);
  EXPECT_NE(svg.find("0 downloads in the last 2 days"), std::string::npos);
}

TEST(SvgChartTest, EmptySeriesIsStillAnSvg) {
  std::string svg = render_downloads_chart({});
  EXPECT_TRUE(svg.starts_with("<svg "));
  EXPECT_EQ(count(svg, "chart-bar"), 0u);
}

}  // namespace
}  // namespace lmp::hub
