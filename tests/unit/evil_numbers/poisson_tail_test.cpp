#include "scanners/evil_numbers/poisson_tail.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

namespace alignwatch::scan::evil_numbers {
namespace {

TEST(LogFactorial, MatchesSummedLogsAcrossTheTableAndStirlingRanges) {
  double sum = 0;
  for (uint64_t n = 1; n <= 3000; ++n) {
    sum += std::log(static_cast<double>(n));
    // Summing 3000 logs accumulates more rounding than the series itself.
    ASSERT_NEAR(log_factorial(n), sum, 1e-12 * sum + 1e-13) << "n = " << n;
  }
  EXPECT_EQ(log_factorial(0), 0.0);
}

// P(X >= k) by direct summation of the pmf, fine for small means.
double naive_upper_tail(uint64_t k, double mean) {
  double tail = 0;
  double pmf = std::exp(-mean);  // P(X = 0)
  for (uint64_t j = 0; j < 400; ++j) {
    if (j >= k) tail += pmf;
    pmf *= mean / static_cast<double>(j + 1);
  }
  return tail;
}

TEST(PoissonUpperTail, AgreesWithDirectSummationOnBothSidesOfTheMean) {
  for (double mean : {0.05, 1.0, 4.5, 20.0, 60.0}) {
    for (uint64_t k = 0; k <= 120; ++k) {
      const double expected = naive_upper_tail(k, mean);
      if (expected < 1e-280) break;
      const double got = std::exp(poisson_upper_tail_log(k, mean));
      ASSERT_NEAR(got, expected, 1e-10 * expected) << "k = " << k << ", mean = " << mean;
    }
  }
  // A value to check by hand: P(X >= 10 | mean 1) = 1 - e^-1 * sum_{j<10} 1/j! = 1.1142548e-7.
  EXPECT_NEAR(std::exp(poisson_upper_tail_log(10, 1.0)), 1.1142548e-7, 1e-13);
}

TEST(PoissonUpperTail, KeepsTheMagnitudeOfTailsBelowTheSmallestDouble) {
  // P(X >= 1000 | mean 10) ~ 10^-1572: exp() would give 0, the log must not.
  const double log_p = poisson_upper_tail_log(1000, 10.0);
  ASSERT_TRUE(std::isfinite(log_p));
  const double leading_term = -10.0 + 1000.0 * std::log(10.0) - log_factorial(1000);
  // The tail is the leading term times 1 + 10/1001 + ... ~ 1.0101.
  EXPECT_NEAR(log_p, leading_term + std::log(1.0 + 10.0 / 1001.0 * (1 + 10.0 / 1002.0)), 1e-6);
  EXPECT_LT(log_p / std::log(10.0), -1500);
}

TEST(PoissonUpperTail, HandlesLargeMeansNearAndFarFromTheCentre) {
  const double mean = 1e6;
  // At the mean the tail is just above one half.
  const double at_mean = std::exp(poisson_upper_tail_log(1000000, mean));
  EXPECT_GT(at_mean, 0.5);
  EXPECT_LT(at_mean, 0.501);
  // Five standard deviations up: about 2.9e-7 by the normal law (a little more with the skew).
  const double five_sigma = std::exp(poisson_upper_tail_log(1005000, mean));
  EXPECT_GT(five_sigma, 2.0e-7);
  EXPECT_LT(five_sigma, 5.0e-7);
}

TEST(PoissonUpperTail, EdgeCases) {
  EXPECT_EQ(poisson_upper_tail_log(0, 3.0), 0.0);
  EXPECT_EQ(poisson_upper_tail_log(0, 0.0), 0.0);
  EXPECT_EQ(poisson_upper_tail_log(1, 0.0), -std::numeric_limits<double>::infinity());
  EXPECT_NEAR(std::exp(poisson_upper_tail_log(1, 2.0)), 1.0 - std::exp(-2.0), 1e-15);
}

}  // namespace
}  // namespace alignwatch::scan::evil_numbers
