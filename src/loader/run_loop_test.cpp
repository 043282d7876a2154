#include "loader/run_loop.h"

#include <gtest/gtest.h>

namespace lmp::loader {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

// Which samplers print once more when the loop stops (Ctrl-C, SIGTERM, --duration).
TEST(RunLoopFinalRound, EverySamplerNotJustRead) {
  Clock::time_point polled(milliseconds(10'000));
  Clock::time_point stop = polled + milliseconds(5);
  // Never read (an automatic map read only at exit, or a stop before the first interval).
  EXPECT_TRUE(needs_final_round(std::nullopt, polled, stop));
  // Read a round earlier: the time since then is the final partial interval.
  EXPECT_TRUE(needs_final_round(polled - milliseconds(300), polled, stop));
  // Read in the loop's last turn (its interval ended at the deadline): already printed.
  EXPECT_FALSE(needs_final_round(polled + milliseconds(2), polled, stop));
  // Read less than a millisecond ago.
  EXPECT_FALSE(needs_final_round(stop - std::chrono::microseconds(500), stop, stop));
}

}  // namespace
}  // namespace lmp::loader
