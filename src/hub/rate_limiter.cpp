#include "hub/rate_limiter.h"

namespace lmp::hub {
namespace {

constexpr std::size_t kSweepThreshold = 10000;

}  // namespace

RateLimiter::RateLimiter(std::size_t max_failures, Clock::duration window)
    : max_failures_(max_failures == 0 ? 1 : max_failures), window_(window) {}

void RateLimiter::prune(std::deque<Clock::time_point>& failures, Clock::time_point now) const {
  while (!failures.empty() && failures.front() + window_ <= now) failures.pop_front();
}

RateLimiter::Clock::duration RateLimiter::retry_after(const std::string& key,
                                                      Clock::time_point now) {
  std::lock_guard lock(mutex_);
  auto it = failures_.find(key);
  if (it == failures_.end()) return Clock::duration::zero();
  prune(it->second, now);
  if (it->second.empty()) {
    failures_.erase(it);
    return Clock::duration::zero();
  }
  if (it->second.size() < max_failures_) return Clock::duration::zero();
  // The attempt that would exceed the limit waits until enough failures leave the window.
  return it->second[it->second.size() - max_failures_] + window_ - now;
}

void RateLimiter::record_failure(const std::string& key, Clock::time_point now) {
  std::lock_guard lock(mutex_);
  if (failures_.size() >= kSweepThreshold) {
    // Many keys (an attack from many addresses): forget those whose failures expired.
    for (auto it = failures_.begin(); it != failures_.end();) {
      prune(it->second, now);
      it = it->second.empty() ? failures_.erase(it) : std::next(it);
    }
  }
  auto& failures = failures_[key];
  prune(failures, now);
  failures.push_back(now);
  // Only the newest max_failures_ matter for the answer; older ones need not be kept.
  while (failures.size() > max_failures_) failures.pop_front();
}

void RateLimiter::reset(const std::string& key) {
  std::lock_guard lock(mutex_);
  failures_.erase(key);
}

}  // namespace lmp::hub
