#include "loader/run_loop.h"

#include <sys/epoll.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>
#include <utility>

#include "loader/stop_signals.h"

namespace lmp::loader {
namespace {

Result<void> sample(MapSampler& sampler, const RunLoopOptions& options) {
  auto entries = sampler.read();
  if (!entries) return std::unexpected(std::move(entries.error()));
  if (options.on_map_sample) options.on_map_sample(sampler, std::move(*entries));
  return {};
}

// Waits on several pollers through one epoll set of their epoll sets, then lets each that
// has data deliver it.
class PollerSet {
 public:
  static Result<PollerSet> create(std::span<Poller* const> pollers) {
    PollerSet set;
    set.pollers_.assign(pollers.begin(), pollers.end());
    if (set.pollers_.size() <= 1) return set;
    set.epoll_fd_ = ::epoll_create1(EPOLL_CLOEXEC);
    if (set.epoll_fd_ < 0)
      return fail(ExitCode::kFailure, std::string("epoll_create1: ") + std::strerror(errno));
    for (std::size_t i = 0; i < set.pollers_.size(); ++i) {
      int fd = set.pollers_[i]->epoll_fd();
      if (fd < 0) continue;
      epoll_event event{};
      event.events = EPOLLIN;
      event.data.u64 = i;
      if (::epoll_ctl(set.epoll_fd_, EPOLL_CTL_ADD, fd, &event) != 0)
        return fail(ExitCode::kFailure, std::string("epoll_ctl: ") + std::strerror(errno));
    }
    return set;
  }
  PollerSet() = default;
  PollerSet(PollerSet&& other) noexcept
      : pollers_(std::move(other.pollers_)), epoll_fd_(std::exchange(other.epoll_fd_, -1)) {}
  PollerSet& operator=(PollerSet&&) = delete;
  ~PollerSet() {
    if (epoll_fd_ >= 0) ::close(epoll_fd_);
  }

  // Returns how many buffers had data.
  Result<int> poll(int timeout_ms) {
    if (pollers_.empty()) {
      if (timeout_ms > 0) ::usleep(static_cast<useconds_t>(timeout_ms) * 1000);
      return 0;
    }
    if (pollers_.size() == 1) return pollers_[0]->poll(timeout_ms);
    epoll_event events[16];
    int ready = ::epoll_wait(epoll_fd_, events, 16, timeout_ms);
    if (ready < 0) {
      if (errno == EINTR) return 0;  // a stop signal
      return fail(ExitCode::kFailure, std::string("epoll_wait: ") + std::strerror(errno));
    }
    int had_data = 0;
    for (int i = 0; i < ready; ++i) had_data += LMP_TRY(pollers_[events[i].data.u64]->poll(0));
    return had_data;
  }

 private:
  std::vector<Poller*> pollers_;
  int epoll_fd_ = -1;
};

}  // namespace

bool needs_final_round(std::optional<std::chrono::steady_clock::time_point> last_read,
                       std::chrono::steady_clock::time_point polled_until,
                       std::chrono::steady_clock::time_point now) {
  if (!last_read) return true;
  return *last_read < polled_until && now - *last_read >= kFreshRound;
}

Result<void> run_until_stopped(Poller& poller, std::vector<MapSampler>& samplers,
                               const RunLoopOptions& options) {
  Poller* one = &poller;
  return run_until_stopped(std::span<Poller* const>(&one, 1), samplers, options);
}

Result<void> run_until_stopped(std::span<Poller* const> pollers, std::vector<MapSampler>& samplers,
                               const RunLoopOptions& options) {
  PollerSet poller = LMP_TRY(PollerSet::create(pollers));
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
  Clock::time_point gather_until{};  // min_round_ms after a round with events (epoch: none)
  while (!StopSignals::requested()) {
    auto now = Clock::now();
    if (deadline && now >= *deadline) break;
    if (now < gather_until) {
      // Let records gather (a stop signal ends the sleep early: no SA_RESTART).
      auto until = gather_until;
      for (const auto& s : samplers) until = std::min(until, s.due());
      if (deadline) until = std::min(until, *deadline);
      if (until > now) {
        auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(until - now).count();
        timespec pause{static_cast<time_t>(ns / 1000000000), static_cast<long>(ns % 1000000000)};
        ::nanosleep(&pause, nullptr);
        continue;
      }
    }
    gather_until = {};
    // Wait no longer than the poll timeout, the next sample or the deadline.
    int timeout_ms = options.poll_timeout_ms;
    if (options.busy && options.busy()) timeout_ms = std::min(timeout_ms, options.busy_wait_ms);
    auto wake = now + std::chrono::milliseconds(timeout_ms);
    for (const auto& s : samplers) wake = std::min(wake, s.due());
    if (deadline) wake = std::min(wake, *deadline);
    // Rounded up: waking a little before the due time would spin until it comes.
    auto wait = std::chrono::ceil<std::chrono::milliseconds>(wake - now).count();
    auto round_began = now;
    int had_data = LMP_TRY(poller.poll(static_cast<int>(std::max<long long>(wait, 0))));
    polled_until = Clock::now();
    if (had_data > 0 && options.min_round_ms > 0)
      gather_until = round_began + std::chrono::milliseconds(options.min_round_ms);

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
