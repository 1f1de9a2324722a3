#pragma once
// Per-client request rate limiting: one token bucket per key (an API token's name), refilled
// at `rate_per_s` up to `burst`. Thread-safe; buckets idle long enough to be full again are
// forgotten so the table stays small.

#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>
#include <unordered_map>

namespace alignwatch::daemon::http {

class RateLimiter {
 public:
  using Clock = std::chrono::steady_clock;
  RateLimiter(double rate_per_s, uint64_t burst);

  struct Decision {
    bool allowed = true;
    uint64_t retry_after_s = 0;  // when refused: seconds until one request is allowed (>= 1)
  };
  Decision admit(const std::string& key, Clock::time_point now = Clock::now());

 private:
  struct Bucket {
    double tokens = 0;
    Clock::time_point updated;
  };
  double rate_per_s_;
  double burst_;
  std::mutex mutex_;
  std::unordered_map<std::string, Bucket> buckets_;
  Clock::time_point last_sweep_{};
};

}  // namespace alignwatch::daemon::http
