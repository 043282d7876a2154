// The interval a map round covers, as the table's first line.
#include <cstdio>

#include "output/map_round.h"
#include "output/text_format.h"

namespace lmp::output::detail {

std::string interval_text(const MapInterval& interval) {
  using std::chrono::system_clock;
  double seconds = std::chrono::duration<double>(interval.end - interval.start).count();
  if (seconds < 0) seconds = 0;
  char length[48];
  // Tenths are enough for rounds of a second or more; a short final round shows its ms.
  std::snprintf(length, sizeof length, seconds < 0.1 ? "%.3f s" : "%.1f s", seconds);
  TimeCache clock;
  std::string text(clock.at(system_clock::to_time_t(interval.start)));
  text += " -> ";
  text += clock.at(system_clock::to_time_t(interval.end));
  return text + " (" + length + ")";
}

}  // namespace lmp::output::detail
