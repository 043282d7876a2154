#include "hub/svg_chart.h"

#include <algorithm>
#include <cstdio>

#include "hub/html.h"

namespace lmp::hub {
namespace {

constexpr int kWidth = 300;
constexpr int kHeight = 120;
constexpr int kLeft = 34;  // room for the y labels
constexpr int kRight = 8;
constexpr int kTop = 10;
constexpr int kBottom = 22;  // room for the x labels
constexpr int kPlotWidth = kWidth - kLeft - kRight;
constexpr int kPlotHeight = kHeight - kTop - kBottom;

std::string fixed(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%.1f", value);
  return text;
}

std::string downloads_text(std::int64_t count) {
  return html::format_count(count) + (count == 1 ? " download" : " downloads");
}

}  // namespace

std::string render_downloads_chart(std::span<const DayCount> days) {
  std::int64_t max = 0;
  std::int64_t total = 0;
  for (const DayCount& day : days) {
    max = std::max(max, day.count);
    total += day.count;
  }
  html::Writer out;
  std::string label = downloads_text(total) + " in the last " + std::to_string(days.size()) +
                      (days.size() == 1 ? " day" : " days");
  out << "<svg class=\"chart\" data-testid=\"downloads-chart\" viewBox=\"0 0 " << kWidth << " "
      << kHeight << "\" role=\"img\" aria-label=\"" << label
      << "\" xmlns=\"http://www.w3.org/2000/svg\">\n<title>" << label << "</title>\n";
  int base = kTop + kPlotHeight;
  // Axes and y labels: 0 at the bottom, the maximum at the top.
  out << "<line class=\"chart-axis\" x1=\"" << kLeft << "\" y1=\"" << base << "\" x2=\""
      << kWidth - kRight << "\" y2=\"" << base << "\"/>\n"
      << "<line class=\"chart-grid\" x1=\"" << kLeft << "\" y1=\"" << kTop << "\" x2=\""
      << kWidth - kRight << "\" y2=\"" << kTop << "\"/>\n"
      << "<text class=\"chart-label\" x=\"" << kLeft - 6 << "\" y=\"" << base
      << "\" text-anchor=\"end\" dominant-baseline=\"middle\">0</text>\n"
      << "<text class=\"chart-label\" x=\"" << kLeft - 6 << "\" y=\"" << kTop
      << "\" text-anchor=\"end\" dominant-baseline=\"middle\">" << html::format_count(max)
      << "</text>\n";
  if (!days.empty()) {
    double slot = static_cast<double>(kPlotWidth) / static_cast<double>(days.size());
    double bar = std::max(1.0, slot * 0.75);
    for (std::size_t i = 0; i < days.size(); ++i) {
      double height = max > 0 ? static_cast<double>(kPlotHeight) *
                                    static_cast<double>(days[i].count) / static_cast<double>(max)
                              : 0.0;
      if (days[i].count > 0) height = std::max(height, 1.5);  // a visible sliver
      double x = kLeft + slot * static_cast<double>(i) + (slot - bar) / 2;
      // The hover target spans the whole slot and plot height, so small bars are easy to
      // point at; only the inner rect is painted.
      out << "<g class=\"chart-day\"><title>" << html::format_day(days[i].day) << ": "
          << downloads_text(days[i].count) << "</title>"
          << "<rect class=\"chart-hit\" x=\"" << fixed(kLeft + slot * static_cast<double>(i))
          << "\" y=\"" << kTop << "\" width=\"" << fixed(slot) << "\" height=\"" << kPlotHeight
          << "\"/><rect class=\"chart-bar\" x=\"" << fixed(x) << "\" y=\"" << fixed(base - height)
          << "\" width=\"" << fixed(bar) << "\" height=\"" << fixed(height) << "\"/></g>\n";
    }
    out << "<text class=\"chart-label\" x=\"" << kLeft << "\" y=\"" << kHeight - 6 << "\">"
        << html::format_day(days.front().day) << "</text>\n"
        << "<text class=\"chart-label\" x=\"" << kWidth - kRight << "\" y=\"" << kHeight - 6
        << "\" text-anchor=\"end\">" << html::format_day(days.back().day) << "</text>\n";
  }
  out << "</svg>";
  return out.take();
}

}  // namespace lmp::hub
