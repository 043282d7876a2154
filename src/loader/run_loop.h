// The polling loop of `lmp run`: buffers, sampled maps and trace_pipe until SIGINT/SIGTERM
// or a deadline.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
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
  // --trace-pipe: drained after every round (so a line waits at most one poll timeout);
  // each complete line goes to on_trace_line.
  TracePipe* trace_pipe = nullptr;
  std::function<void(std::string_view line)> on_trace_line;
};

// Installs SIGINT/SIGTERM handlers that request a stop (the previous handlers come back
// on return) and polls until then. Returns normally on a stop request, the deadline or
// after_round returning false. On a stop request or the deadline, automatic samplers
// (MapSampler::is_automatic) get a last round, then after_round runs once more.
Result<void> run_until_stopped(Poller& poller, std::vector<MapSampler>& samplers,
                               const RunLoopOptions& options);

}  // namespace lmp::loader
