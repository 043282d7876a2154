#include "hub/rate_limiter.h"

#include <gtest/gtest.h>

namespace lmp::hub {
namespace {

using namespace std::chrono_literals;
using Clock = RateLimiter::Clock;

TEST(RateLimiterTest, RefusesAfterMaxFailuresUntilTheOldestLeavesTheWindow) {
  RateLimiter limiter(3, 10min);
  const Clock::time_point t0{};
  EXPECT_EQ(limiter.retry_after("alice", t0), Clock::duration::zero());
  limiter.record_failure("alice", t0);
  limiter.record_failure("alice", t0 + 1min);
  EXPECT_EQ(limiter.retry_after("alice", t0 + 2min), Clock::duration::zero());
  limiter.record_failure("alice", t0 + 2min);
  // Three failures: refused until the first (t0) is 10 minutes old.
  EXPECT_EQ(limiter.retry_after("alice", t0 + 3min), 7min);
  EXPECT_EQ(limiter.retry_after("alice", t0 + 10min - 1s), 1s);
  EXPECT_EQ(limiter.retry_after("alice", t0 + 10min), Clock::duration::zero());
  // One more failure brings it back to three within the window (t0+1, t0+2, t0+10).
  limiter.record_failure("alice", t0 + 10min);
  EXPECT_EQ(limiter.retry_after("alice", t0 + 10min), 1min);
  // Other keys are independent.
  EXPECT_EQ(limiter.retry_after("bob", t0 + 10min), Clock::duration::zero());
}

TEST(RateLimiterTest, SlidingWindowForgetsOldFailures) {
  RateLimiter limiter(2, 1min);
  const Clock::time_point t0{};
  limiter.record_failure("k", t0);
  limiter.record_failure("k", t0 + 2min);  // the first has left the window
  EXPECT_EQ(limiter.retry_after("k", t0 + 2min), Clock::duration::zero());
  limiter.record_failure("k", t0 + 2min + 30s);
  EXPECT_EQ(limiter.retry_after("k", t0 + 2min + 30s), 30s);
}

TEST(RateLimiterTest, ManyFailuresWaitForTheNewestNeeded) {
  RateLimiter limiter(2, 1min);
  const Clock::time_point t0{};
  for (int i = 0; i < 5; ++i) limiter.record_failure("k", t0 + i * 1s);
  // Failures at 0..4 s; with a limit of 2 the attempt may go once only one failure (4 s)
  // is left in the window: at 3 s + 1 min.
  EXPECT_EQ(limiter.retry_after("k", t0 + 5s), 58s);
}

TEST(RateLimiterTest, ResetForgets) {
  RateLimiter limiter(1, 1h);
  const Clock::time_point t0{};
  limiter.record_failure("alice", t0);
  EXPECT_GT(limiter.retry_after("alice", t0 + 1s), Clock::duration::zero());
  limiter.reset("alice");
  EXPECT_EQ(limiter.retry_after("alice", t0 + 1s), Clock::duration::zero());
  limiter.reset("never-seen");
}

TEST(RateLimiterTest, ManyKeysAreSweptWhenExpired) {
  RateLimiter limiter(1, 1min);
  const Clock::time_point t0{};
  for (int i = 0; i < 10050; ++i) limiter.record_failure("addr" + std::to_string(i), t0);
  // Past the window every key is free again; a recent one still counts.
  limiter.record_failure("fresh", t0 + 2min);
  EXPECT_EQ(limiter.retry_after("addr1", t0 + 2min), Clock::duration::zero());
  EXPECT_EQ(limiter.retry_after("fresh", t0 + 2min), 1min);
}

}  // namespace
}  // namespace lmp::hub
