#include "scanners/evil_numbers/poisson_tail.h"

#include <array>
#include <cmath>
#include <limits>
#include <numbers>

namespace alignwatch::scan::evil_numbers {

namespace {

constexpr uint64_t kExactFactorials = 256;

// ln(n!) for n < kExactFactorials, summed once. A function-local static is initialized
// thread-safely; std::lgamma is avoided because glibc's writes the global `signgam`.
const std::array<double, kExactFactorials>& small_log_factorials() {
  static const std::array<double, kExactFactorials> table = [] {
    std::array<double, kExactFactorials> t{};
    for (uint64_t n = 1; n < kExactFactorials; ++n) t[n] = t[n - 1] + std::log(static_cast<double>(n));
    return t;
  }();
  return table;
}

// ln P(X = k) for X ~ Poisson(mean), mean > 0.
double log_pmf(uint64_t k, double mean) {
  return -mean + static_cast<double>(k) * std::log(mean) - log_factorial(k);
}

// Terms are added until the next one is this small relative to the sum.
constexpr double kRelativeTolerance = 1e-17;

}  // namespace

double log_factorial(uint64_t n) {
  if (n < kExactFactorials) return small_log_factorials()[n];
  // Stirling's series; with n >= 256 the first omitted term is below 1e-19.
  const double x = static_cast<double>(n);
  const double inv = 1.0 / x;
  const double inv2 = inv * inv;
  return x * std::log(x) - x + 0.5 * std::log(2.0 * std::numbers::pi * x) +
         inv * (1.0 / 12.0 - inv2 * (1.0 / 360.0 - inv2 * (1.0 / 1260.0)));
}

double poisson_upper_tail_log(uint64_t k, double mean) {
  if (k == 0) return 0.0;
  if (!(mean > 0)) return -std::numeric_limits<double>::infinity();
  const double kd = static_cast<double>(k);
  if (kd > mean) {
    // Sum P(X = j) for j >= k as P(X = k) * (1 + r_k + r_k r_{k+1} + ...), r_j = mean/(j+1) < 1:
    // the terms shrink, so the loop stops after about 9 sqrt(mean) steps at worst.
    double sum = 1.0;
    double term = 1.0;
    for (uint64_t j = k;; ++j) {
      term *= mean / static_cast<double>(j + 1);
      sum += term;
      if (term < sum * kRelativeTolerance) break;
    }
    return log_pmf(k, mean) + std::log(sum);
  }
  // The tail holds most of the mass: 1 - P(X <= k-1), with the lower sum taken downwards
  // from j = k-1 where the ratios j/mean are below 1, and expm1 keeping the difference exact.
  double sum = 1.0;
  double term = 1.0;
  for (uint64_t j = k - 1; j > 0; --j) {
    term *= static_cast<double>(j) / mean;
    sum += term;
    if (term < sum * kRelativeTolerance) break;
  }
  // Here k - 1 < mean, so P(X <= k-1) stays near or below one half and the difference is
  // well conditioned.
  const double log_lower = log_pmf(k - 1, mean) + std::log(sum);
  return std::log(-std::expm1(log_lower));
}

}  // namespace alignwatch::scan::evil_numbers
