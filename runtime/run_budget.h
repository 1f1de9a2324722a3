#pragma once
// Limits on one scoring or generation call, checked inside its loops: tokens processed and
// wall time. A call that reaches one stops and says so (never silently).

#include <chrono>
#include <cstdint>

namespace alignwatch::runtime {

struct RunBudget {
  uint64_t max_tokens = 0;   // tokens fed through the model (0: no limit)
  uint64_t max_wall_ms = 0;  // 0: no limit
};

class BudgetClock {
 public:
  explicit BudgetClock(const RunBudget& b) : budget_(b), start_(std::chrono::steady_clock::now()) {}
  // Adds `tokens`; false once a limit is passed.
  bool charge(uint64_t tokens) {
    used_ += tokens;
    return !exhausted();
  }
  bool exhausted() const {
    if (budget_.max_tokens && used_ > budget_.max_tokens) return true;
    if (budget_.max_wall_ms) {
      auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start_).count();
      if (static_cast<uint64_t>(ms) > budget_.max_wall_ms) return true;
    }
    return false;
  }
  uint64_t used() const { return used_; }

 private:
  RunBudget budget_;
  std::chrono::steady_clock::time_point start_;
  uint64_t used_ = 0;
};

}  // namespace alignwatch::runtime
