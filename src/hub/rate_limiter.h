// Failed-login limiting: a fixed number of failures per key (an account, an address) within
// a sliding window; further attempts are refused until the oldest failure leaves the window.
// Thread-safe; in memory (a restart forgets, which only helps the legitimate user).
#pragma once

#include <chrono>
#include <cstddef>
#include <deque>
#include <mutex>
#include <string>
#include <unordered_map>

namespace lmp::hub {

class RateLimiter {
 public:
  using Clock = std::chrono::steady_clock;

  RateLimiter(std::size_t max_failures, Clock::duration window);

  // Zero when `key` may try now, else how long until it may.
  Clock::duration retry_after(const std::string& key, Clock::time_point now = Clock::now());
  void record_failure(const std::string& key, Clock::time_point now = Clock::now());
  // A success forgets the key's failures.
  void reset(const std::string& key);

 private:
  void prune(std::deque<Clock::time_point>& failures, Clock::time_point now) const;

  std::size_t max_failures_;
  Clock::duration window_;
  std::mutex mutex_;
  std::unordered_map<std::string, std::deque<Clock::time_point>> failures_;
};

}  // namespace lmp::hub
