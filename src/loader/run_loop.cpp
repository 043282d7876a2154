#include "loader/run_loop.h"

#include <csignal>

namespace lmp::loader {
namespace {

volatile std::sig_atomic_t g_stop_requested = 0;

void request_stop(int) {
  g_stop_requested = 1;
}

// Installs the handlers without SA_RESTART so a blocking wait returns early.
class StopSignals {
 public:
  StopSignals() {
    g_stop_requested = 0;
    struct sigaction action {};
    action.sa_handler = request_stop;
    sigemptyset(&action.sa_mask);
    sigaction(SIGINT, &action, &old_int_);
    sigaction(SIGTERM, &action, &old_term_);
  }
  ~StopSignals() {
    sigaction(SIGINT, &old_int_, nullptr);
    sigaction(SIGTERM, &old_term_, nullptr);
  }
  StopSignals(const StopSignals&) = delete;
  StopSignals& operator=(const StopSignals&) = delete;

 private:
  struct sigaction old_int_ {};
  struct sigaction old_term_ {};
};

}  // namespace

Result<void> run_until_stopped(Poller& poller, std::vector<MapSampler>& samplers,
                               const RunLoopOptions& options) {
  using Clock = std::chrono::steady_clock;
  StopSignals signals;
  std::optional<Clock::time_point> deadline;
  if (options.duration) deadline = Clock::now() + *options.duration;

  while (!g_stop_requested) {
    auto now = Clock::now();
    if (deadline && now >= *deadline) break;
    // Wait no longer than the poll timeout, the next sample or the deadline.
    auto wake = now + std::chrono::milliseconds(options.poll_timeout_ms);
    for (const auto& s : samplers) wake = std::min(wake, s.due());
    if (deadline) wake = std::min(wake, *deadline);
    auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(wake - now).count();
    LMP_CHECK(poller.poll(static_cast<int>(std::max<long long>(wait, 0))));

    now = Clock::now();
    for (auto& sampler : samplers) {
      if (sampler.due() > now || g_stop_requested) continue;
      auto entries = sampler.read();
      if (!entries) return std::unexpected(std::move(entries.error()));
      if (options.on_map_sample) options.on_map_sample(sampler, std::move(*entries));
    }
    if (options.after_round) options.after_round();
  }
  return {};
}

}  // namespace lmp::loader
