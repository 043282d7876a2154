#include "loader/run_loop.h"

#include "loader/stop_signals.h"

namespace lmp::loader {
namespace {

Result<void> sample(MapSampler& sampler, const RunLoopOptions& options) {
  auto entries = sampler.read();
  if (!entries) return std::unexpected(std::move(entries.error()));
  if (options.on_map_sample) options.on_map_sample(sampler, std::move(*entries));
  return {};
}

}  // namespace

bool needs_final_round(std::optional<std::chrono::steady_clock::time_point> last_read,
                       std::chrono::steady_clock::time_point polled_until,
                       std::chrono::steady_clock::time_point now) {
  if (!last_read) return true;
  return *last_read < polled_until && now - *last_read >= kFreshRound;
}

Result<void> run_until_stopped(Poller& poller, std::vector<MapSampler>& samplers,
                               const RunLoopOptions& options) {
  using Clock = std::chrono::steady_clock;
  StopSignals signals;  // without SA_RESTART: a stop ends the poll early
  auto started = Clock::now();
  std::optional<Clock::time_point> deadline;
  if (options.duration) deadline = started + *options.duration;
  // Loading and attaching took time since the samplers were made: count from here, so a
  // deadline one interval away is not preceded by an early round.
  for (auto& sampler : samplers) sampler.schedule_from(started);

  bool ended_by_output = false;
  auto polled_until = started;
  while (!StopSignals::requested()) {
    auto now = Clock::now();
    if (deadline && now >= *deadline) break;
    // Wait no longer than the poll timeout, the next sample or the deadline.
    int timeout_ms = options.poll_timeout_ms;
    if (options.busy && options.busy()) timeout_ms = std::min(timeout_ms, options.busy_wait_ms);
    auto wake = now + std::chrono::milliseconds(timeout_ms);
    for (const auto& s : samplers) wake = std::min(wake, s.due());
    if (deadline) wake = std::min(wake, *deadline);
    // Rounded up: waking a little before the due time would spin until it comes.
    auto wait = std::chrono::ceil<std::chrono::milliseconds>(wake - now).count();
    LMP_CHECK(poller.poll(static_cast<int>(std::max<long long>(wait, 0))));
    polled_until = Clock::now();

    if (options.trace_pipe && options.on_trace_line)
      options.trace_pipe->drain(options.on_trace_line);
    now = Clock::now();
    for (auto& sampler : samplers) {
      if (sampler.due() > now || StopSignals::requested()) continue;
      LMP_CHECK(sample(sampler, options));
    }
    if (options.after_round && !LMP_TRY(options.after_round())) {
      ended_by_output = true;
      break;
    }
  }
  if (ended_by_output) return {};
  // The exit round: the time since each sampler's previous round, as a tool prints when it
  // ends.
  bool any = false;
  auto now = Clock::now();
  for (auto& sampler : samplers) {
    if (!needs_final_round(sampler.last_read(), polled_until, now)) continue;
    LMP_CHECK(sample(sampler, options));
    any = true;
  }
  if (any && options.after_round) LMP_CHECK(options.after_round());
  return {};
}

}  // namespace lmp::loader
