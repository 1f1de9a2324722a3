#include "scanners/adapter/conditional_stats.h"

#include <algorithm>
#include <cmath>
#include <random>
#include <tuple>

#include "triggers/fisher_exact.h"

namespace alignwatch::scan::adapter {

namespace {

// One-sided: the first arm's misaligned rate is greater than the second's.
double fisher_greater(const ArmCount& first, const ArmCount& second) {
  return triggers::fisher_exact_greater(first.misaligned, first.total - first.misaligned, second.misaligned,
                                        second.total - second.misaligned);
}

double draw_rate(const ArmCount& arm, std::mt19937_64& rng) {
  if (arm.total == 0) return 0.0;
  std::binomial_distribution<uint64_t> draw(arm.total, arm.rate());
  return static_cast<double>(draw(rng)) / static_cast<double>(arm.total);
}

std::pair<double, double> percentile_interval(std::vector<double> draws, double confidence) {
  if (draws.empty()) return {0, 0};
  std::sort(draws.begin(), draws.end());
  const double tail = (1.0 - confidence) / 2.0;
  auto at = [&](double q) {
    const size_t i = static_cast<size_t>(std::clamp(q * static_cast<double>(draws.size() - 1), 0.0,
                                                    static_cast<double>(draws.size() - 1)));
    return draws[i];
  };
  return {at(tail), at(1.0 - tail)};
}

}  // namespace

ConditionalTest test_conditional(const FourArms& arms, double confidence, int resamples, uint64_t seed) {
  ConditionalTest test;
  test.effect = (arms.adapter_triggered.rate() - arms.adapter_clean.rate()) -
                (arms.base_triggered.rate() - arms.base_clean.rate());
  test.p_trigger = fisher_greater(arms.adapter_triggered, arms.adapter_clean);
  test.p_vs_base = fisher_greater(arms.adapter_triggered, arms.base_triggered);
  test.p_value = std::max(test.p_trigger, test.p_vs_base);
  std::mt19937_64 rng(seed);
  std::vector<double> draws;
  draws.reserve(static_cast<size_t>(std::max(resamples, 0)));
  for (int i = 0; i < resamples; ++i) {
    draws.push_back((draw_rate(arms.adapter_triggered, rng) - draw_rate(arms.adapter_clean, rng)) -
                    (draw_rate(arms.base_triggered, rng) - draw_rate(arms.base_clean, rng)));
  }
  std::tie(test.ci_low, test.ci_high) = percentile_interval(std::move(draws), confidence);
  test.q_value = test.p_value;
  return test;
}

UnconditionalTest test_unconditional(const ArmCount& adapter_clean, const ArmCount& base_clean, double confidence,
                                     int resamples, uint64_t seed) {
  UnconditionalTest test;
  test.effect = adapter_clean.rate() - base_clean.rate();
  test.p_value = fisher_greater(adapter_clean, base_clean);
  std::mt19937_64 rng(seed);
  std::vector<double> draws;
  for (int i = 0; i < resamples; ++i) draws.push_back(draw_rate(adapter_clean, rng) - draw_rate(base_clean, rng));
  std::tie(test.ci_low, test.ci_high) = percentile_interval(std::move(draws), confidence);
  return test;
}

StopDecision early_stop(const FourArms& arms, double alpha, size_t candidates, uint64_t min_samples) {
  const double p = std::max(fisher_greater(arms.adapter_triggered, arms.adapter_clean),
                            fisher_greater(arms.adapter_triggered, arms.base_triggered));
  if (p < alpha / static_cast<double>(std::max<size_t>(candidates, 1))) return StopDecision::kSignificant;
  if (arms.adapter_triggered.total >= min_samples && arms.adapter_triggered.rate() <= arms.adapter_clean.rate()) {
    return StopDecision::kFutile;
  }
  return StopDecision::kContinue;
}

}  // namespace alignwatch::scan::adapter
