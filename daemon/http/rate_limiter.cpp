#include "daemon/http/rate_limiter.h"

#include <algorithm>
#include <cmath>

namespace alignwatch::daemon::http {

RateLimiter::RateLimiter(double rate_per_s, uint64_t burst)
    : rate_per_s_(std::max(rate_per_s, 1e-9)), burst_(static_cast<double>(std::max<uint64_t>(burst, 1))) {}

RateLimiter::Decision RateLimiter::admit(const std::string& key, Clock::time_point now) {
  std::lock_guard lock(mutex_);
  const double full_after_s = burst_ / rate_per_s_;
  if (now - last_sweep_ > std::chrono::seconds(60)) {
    std::erase_if(buckets_, [&](const auto& entry) {
      return std::chrono::duration<double>(now - entry.second.updated).count() >= full_after_s;
    });
    last_sweep_ = now;
  }
  auto [it, inserted] = buckets_.try_emplace(key, Bucket{burst_, now});
  Bucket& bucket = it->second;
  if (!inserted) {
    const double elapsed = std::chrono::duration<double>(now - bucket.updated).count();
    bucket.tokens = std::min(burst_, bucket.tokens + std::max(0.0, elapsed) * rate_per_s_);
    bucket.updated = now;
  }
  if (bucket.tokens >= 1.0) {
    bucket.tokens -= 1.0;
    return {true, 0};
  }
  const double wait_s = (1.0 - bucket.tokens) / rate_per_s_;
  return {false, static_cast<uint64_t>(std::max(1.0, std::ceil(wait_s)))};
}

}  // namespace alignwatch::daemon::http
