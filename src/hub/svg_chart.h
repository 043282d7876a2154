// Downloads per day as an inline SVG bar chart, drawn by the server: no script, no external
// library, no style attributes (the store's CSS colours the classes), so it passes the
// store's Content-Security-Policy.
#pragma once

#include <span>
#include <string>

#include "hub/storage.h"

namespace lmp::hub {

// One bar per day, oldest first, each with a <title> ("2026-12-01: 3 downloads") that
// browsers show on hover and screen readers read; a y axis with 0 and the maximum, and the
// first and last dates under the x axis. The <svg> is role="img" with an aria-label
// summing up the period.
std::string render_downloads_chart(std::span<const DayCount> days);

}  // namespace lmp::hub
