// The polling loop of `lmp run`: buffers and sampled maps until SIGINT/SIGTERM or a
// deadline.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <vector>

#include "common/result.h"
#include "loader/map_sampler.h"
#include "loader/poller.h"

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
};

// Installs SIGINT/SIGTERM handlers that request a stop (the previous handlers come back
// on return) and polls until then. Returns normally on a stop request, the deadline or
// after_round returning false.
Result<void> run_until_stopped(Poller& poller, std::vector<MapSampler>& samplers,
                               const RunLoopOptions& options);

}  // namespace lmp::loader
