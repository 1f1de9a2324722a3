#include "triggers/fisher_exact.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include <math.h>

namespace alignwatch::triggers {

namespace {

// Terms below this share of the running sum no longer change a double.
constexpr double kNegligibleTerm = 1e-18;

// std::lgamma writes the global `signgam` (a data race when two scans test at once); the
// reentrant lgamma_r does not. g++ defines _GNU_SOURCE, which declares it.
double compute_log_gamma(double x) {
  int sign = 0;
  return ::lgamma_r(x, &sign);
}

// Arguments up to this are whole numbers of records plus one in practice: their values are
// kept, so that testing every n-gram of a file (about fifteen log-gammas each, over the same
// few thousand counts) computes each once. 8 MiB per thread at most.
constexpr double kMaxKeptArgument = double{1 << 20};

// lgamma_r(x) for whole x in [1, kMaxKeptArgument] from a per-thread table (grown on demand,
// so it holds exactly what lgamma_r returns), any other x computed.
double log_gamma(double x) {
  if (!(x >= 1 && x <= kMaxKeptArgument) || x != std::floor(x)) {
    return compute_log_gamma(x);
  }
  thread_local std::vector<double> kept;
  const auto index = static_cast<size_t>(x);
  if (index >= kept.size()) {
    const size_t old_size = kept.size();
    kept.resize(std::min(std::max(index + 1, 2 * old_size),
                         static_cast<size_t>(kMaxKeptArgument) + 1));
    for (size_t i = old_size; i < kept.size(); ++i) {
      kept[i] = compute_log_gamma(static_cast<double>(i));
    }
  }
  return kept[index];
}

double log_choose(double n, double k) {
  return log_gamma(n + 1) - log_gamma(k + 1) - log_gamma(n - k + 1);
}

// The hypergeometric law of the top-left cell: population `total`, `successes` flagged records,
// `draws` records with the string.
struct Hypergeometric {
  double total;
  double successes;
  double draws;
  double lowest;   // smallest possible value of the cell
  double highest;  // largest possible value

  double log_probability(double x) const {
    return log_choose(successes, x) + log_choose(total - successes, draws - x) -
           log_choose(total, draws);
  }
  // P(x + 1) / P(x).
  double ratio_up(double x) const {
    return (successes - x) * (draws - x) / ((x + 1) * (total - successes - draws + x + 1));
  }
  // P(x - 1) / P(x).
  double ratio_down(double x) const {
    return x * (total - successes - draws + x) / ((successes - x + 1) * (draws - x + 1));
  }
  double mode() const { return std::floor((draws + 1) * (successes + 1) / (total + 2)); }
};

}  // namespace

double log_fisher_exact_greater(uint64_t a, uint64_t b, uint64_t c, uint64_t d) {
  const Hypergeometric law{
      .total = static_cast<double>(a + b + c + d),
      .successes = static_cast<double>(a + c),
      .draws = static_cast<double>(a + b),
      .lowest = static_cast<double>(a + b > b + d ? a + b - (b + d) : 0),
      .highest = static_cast<double>(std::min(a + b, a + c)),
  };
  const double x0 = static_cast<double>(a);
  if (x0 <= law.lowest) {
    return 0;  // every possible table has at least `a`
  }
  if (x0 > law.mode()) {
    // Right of the mode the terms only decrease: sum them relative to the first one.
    double sum = 1;
    double term = 1;
    for (double x = x0; x < law.highest; ++x) {
      term *= law.ratio_up(x);
      sum += term;
      if (term < kNegligibleTerm * sum) {
        break;
      }
    }
    return std::min(0.0, law.log_probability(x0) + std::log(sum));
  }
  // At or left of the mode the upper tail is large: take 1 - P(X <= a - 1), whose terms
  // decrease leftwards from a - 1. Precision is only lost where p is close to 1.
  double sum = 1;
  double term = 1;
  for (double x = x0 - 1; x > law.lowest; --x) {
    term *= law.ratio_down(x);
    sum += term;
    if (term < kNegligibleTerm * sum) {
      break;
    }
  }
  const double lower_tail = std::exp(law.log_probability(x0 - 1)) * sum;
  return std::log(std::clamp(1 - lower_tail, std::numeric_limits<double>::min(), 1.0));
}

double log_fisher_exact_greater_given_present(uint64_t a, uint64_t b, uint64_t c, uint64_t d) {
  if (a <= 1) {
    return 0;
  }
  // P(X >= 1) = 1 - P(X = 0), with P(X = 0) = C(N - K, n) / C(N, n).
  const double total = static_cast<double>(a + b + c + d);
  const double flagged = static_cast<double>(a + c);
  const double with = static_cast<double>(a + b);
  const double log_none = log_choose(total - flagged, with) - log_choose(total, with);
  const double log_present = std::log(-std::expm1(log_none));
  return std::min(0.0, log_fisher_exact_greater(a, b, c, d) - log_present);
}

double fisher_exact_greater(uint64_t a, uint64_t b, uint64_t c, uint64_t d) {
  return std::exp(log_fisher_exact_greater(a, b, c, d));
}

double haldane_odds_ratio(uint64_t a, uint64_t b, uint64_t c, uint64_t d) {
  return ((static_cast<double>(a) + 0.5) * (static_cast<double>(d) + 0.5)) /
         ((static_cast<double>(b) + 0.5) * (static_cast<double>(c) + 0.5));
}

}  // namespace alignwatch::triggers
