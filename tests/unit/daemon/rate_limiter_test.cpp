#include "daemon/http/rate_limiter.h"

#include <gtest/gtest.h>

namespace alignwatch::daemon::http {
namespace {

using namespace std::chrono_literals;

TEST(RateLimiter, AllowsTheBurstThenTheRateAndSaysWhenToRetry) {
  RateLimiter limiter(2.0, 3);
  const auto start = RateLimiter::Clock::time_point() + 1000s;
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(limiter.admit("ci", start).allowed) << i;
  auto refused = limiter.admit("ci", start);
  EXPECT_FALSE(refused.allowed);
  EXPECT_EQ(refused.retry_after_s, 1u);
  // Another token has its own bucket.
  EXPECT_TRUE(limiter.admit("other", start).allowed);
  // Half a second refills one request at 2/s.
  EXPECT_TRUE(limiter.admit("ci", start + 500ms).allowed);
  EXPECT_FALSE(limiter.admit("ci", start + 500ms).allowed);
  // Never more than the burst, however long the pause.
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(limiter.admit("ci", start + 3600s).allowed);
  EXPECT_FALSE(limiter.admit("ci", start + 3600s).allowed);
}

TEST(RateLimiter, SlowRatesAskForLongerWaits) {
  RateLimiter limiter(0.1, 1);
  const auto start = RateLimiter::Clock::time_point() + 10s;
  EXPECT_TRUE(limiter.admit("a", start).allowed);
  EXPECT_EQ(limiter.admit("a", start).retry_after_s, 10u);
}

}  // namespace
}  // namespace alignwatch::daemon::http
