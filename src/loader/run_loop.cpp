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

Result<void> run_until_stopped(Poller& poller, std::vector<MapSampler>& samplers,
                               const RunLoopOptions& options) {
  using Clock = std::chrono::steady_clock;
  StopSignals signals;  // without SA_RESTART: a stop ends the poll early
  std::optional<Clock::time_point> deadline;
  if (options.duration) deadline = Clock::now() + *options.duration;

  bool ended_by_output = false;
  while (!StopSignals::requested()) {
    auto now = Clock::now();
    if (deadline && now >= *deadline) break;
    // Wait no longer than the poll timeout, the next sample or the deadline.
    int timeout_ms = options.poll_timeout_ms;
    if (options.busy && options.busy()) timeout_ms = std::min(timeout_ms, options.busy_wait_ms);
    auto wake = now + std::chrono::milliseconds(timeout_ms);
    for (const auto& s : samplers) wake = std::min(wake, s.due());
    if (deadline) wake = std::min(wake, *deadline);
    auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(wake - now).count();
    LMP_CHECK(poller.poll(static_cast<int>(std::max<long long>(wait, 0))));

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
  // The exit round: what user space would print when the tool ends.
  bool any = false;
  for (auto& sampler : samplers) {
    if (!sampler.is_automatic()) continue;
    LMP_CHECK(sample(sampler, options));
    any = true;
  }
  if (any && options.after_round) LMP_CHECK(options.after_round());
  return {};
}

}  // namespace lmp::loader
