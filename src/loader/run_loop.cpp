#include "loader/run_loop.h"

#include "loader/stop_signals.h"

namespace lmp::loader {

Result<void> run_until_stopped(Poller& poller, std::vector<MapSampler>& samplers,
                               const RunLoopOptions& options) {
  using Clock = std::chrono::steady_clock;
  StopSignals signals;  // without SA_RESTART: a stop ends the poll early
  std::optional<Clock::time_point> deadline;
  if (options.duration) deadline = Clock::now() + *options.duration;

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

    now = Clock::now();
    for (auto& sampler : samplers) {
      if (sampler.due() > now || StopSignals::requested()) continue;
      auto entries = sampler.read();
      if (!entries) return std::unexpected(std::move(entries.error()));
      if (options.on_map_sample) options.on_map_sample(sampler, std::move(*entries));
    }
    if (options.after_round && !LMP_TRY(options.after_round())) break;
  }
  return {};
}

}  // namespace lmp::loader
