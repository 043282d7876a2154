// The polling loop of `lmp run`: buffers, sampled maps and trace_pipe until SIGINT/SIGTERM
// or a deadline.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "loader/map_sampler.h"
#include "loader/poller.h"
#include "loader/trace_pipe.h"

namespace lmp::loader {

struct RunLoopOptions {
  int poll_timeout_ms = 100;  // longest wait, so stop requests are seen quickly
  std::optional<std::chrono::milliseconds> duration;  // stop after this long
  // One sampling round of a map.
  std::function<void(const MapSampler&, std::vector<MapEntryBytes>)> on_map_sample;
  // After every round (write output here). An error ends the loop with that error; false
  // ends it normally (e.g. the reader of stdout went away).
  std::function<Result<bool>()> after_round;
  // While this returns true (output waits for a slow reader), rounds are at most
  // `busy_wait_ms` apart, so after_round gets to write again soon.
  std::function<bool()> busy;
  int busy_wait_ms = 10;
  // After a round that delivered events, the next wait for events starts no sooner than
  // this long after that round began (0: at once). The kernel wakes a ring buffer's reader
  // only for the first record after it caught up, so a reader that lets records gather
  // costs the producer fewer wake-ups (`lmp run --quiet`: nothing waits to be shown).
  // Must stay well below the time the fastest producer needs to fill a buffer.
  int min_round_ms = 0;
  // --trace-pipe: drained after every round (so a line waits at most one poll timeout);
  // each complete line goes to on_trace_line.
  TracePipe* trace_pipe = nullptr;
  std::function<void(std::string_view line)> on_trace_line;
};

// Installs SIGINT/SIGTERM handlers that request a stop (the previous handlers come back
// on return) and polls until then. Samplers' intervals start when polling does. Returns
// normally on a stop request, the deadline or after_round returning false. On a stop
// request or the deadline, every sampler gets a last round covering the time since its
// previous one (the final partial interval, as bcc's tools print their last histogram)
// unless needs_final_round says its last round already covers it; then after_round runs
// once more. So `--duration 0.9` with 1 s intervals prints one round, at 0.9 s.
Result<void> run_until_stopped(Poller& poller, std::vector<MapSampler>& samplers,
                               const RunLoopOptions& options);
// The same for several packages' pollers at once (`lmp run A -- B`): one wait on all of
// their buffers.
Result<void> run_until_stopped(std::span<Poller* const> pollers, std::vector<MapSampler>& samplers,
                               const RunLoopOptions& options);

// A round read less than this long before the stop covers the time up to it.
inline constexpr std::chrono::milliseconds kFreshRound{1};

// Whether a sampler last read at `last_read` (nullopt: never) gets a last round when the
// loop stops at `now`, the final poll having returned at `polled_until`: not when it was
// read after that poll (in the loop's final turn) or less than kFreshRound before `now`.
bool needs_final_round(std::optional<std::chrono::steady_clock::time_point> last_read,
                       std::chrono::steady_clock::time_point polled_until,
                       std::chrono::steady_clock::time_point now);

}  // namespace lmp::loader
