#include "triggers/fisher_exact.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

namespace alignwatch::triggers {
namespace {

// An independent reference: the upper tail summed directly from binomial coefficients built
// with Pascal's triangle in long double (exact integers up to 2^64, then 18 digits).
class PascalReference {
 public:
  explicit PascalReference(int max_n) : rows_(static_cast<size_t>(max_n) + 1) {
    for (int n = 0; n <= max_n; ++n) {
      rows_[n].assign(static_cast<size_t>(n) + 1, 1.0L);
      for (int k = 1; k < n; ++k) {
        rows_[n][k] = rows_[n - 1][k - 1] + rows_[n - 1][k];
      }
    }
  }
  long double choose(int n, int k) const {
    return (k < 0 || k > n) ? 0.0L : rows_[n][k];
  }
  long double upper_tail(int a, int b, int c, int d) const {
    const int total = a + b + c + d;
    const int flagged = a + c;
    const int with = a + b;
    long double sum = 0;
    for (int x = a; x <= std::min(flagged, with); ++x) {
      sum += choose(flagged, x) * choose(total - flagged, with - x);
    }
    return sum / choose(total, with);
  }

 private:
  std::vector<std::vector<long double>> rows_;
};

TEST(FisherExactGreater, MatchesR) {
  // R: fisher.test(matrix(c(3,1,1,3),2), alternative="greater")$p.value = 0.2429 (= 17/70).
  EXPECT_NEAR(fisher_exact_greater(3, 1, 1, 3), 17.0 / 70.0, 1e-12);
  EXPECT_NEAR(fisher_exact_greater(3, 1, 1, 3), 0.2429, 5e-5);
}

TEST(FisherExactGreater, MatchesDirectSumOnEverySmallTable) {
  const PascalReference reference(24);
  int checked = 0;
  for (int a = 0; a <= 6; ++a) {
    for (int b = 0; b <= 6; ++b) {
      for (int c = 0; c <= 6; ++c) {
        for (int d = 0; d <= 6; ++d) {
          const double expected = static_cast<double>(reference.upper_tail(a, b, c, d));
          const double got = fisher_exact_greater(a, b, c, d);
          ASSERT_NEAR(got, expected, 1e-12 + 1e-9 * expected)
              << "table " << a << " " << b << " " << c << " " << d;
          ++checked;
        }
      }
    }
  }
  EXPECT_EQ(checked, 7 * 7 * 7 * 7);
}

TEST(FisherExactGreater, MatchesDirectSumOnLargerRandomTables) {
  // Up to 200 records, both sides of the mode (the two summation branches).
  const PascalReference reference(200);
  std::mt19937 rng(7);
  std::uniform_int_distribution<int> cell(0, 50);
  for (int i = 0; i < 2000; ++i) {
    const int a = cell(rng), b = cell(rng), c = cell(rng), d = cell(rng);
    const double expected = static_cast<double>(reference.upper_tail(a, b, c, d));
    const double got = fisher_exact_greater(a, b, c, d);
    ASSERT_NEAR(got, expected, 1e-10 + 1e-8 * expected)
        << "table " << a << " " << b << " " << c << " " << d;
  }
}

TEST(FisherExactGreater, ExtremeTailKeepsItsMagnitude) {
  // A trigger in 50 of 5,000 records, all 50 flagged, 150 flagged in all:
  // p = C(150,50) / C(5000,50) = prod_{i<50} (150 - i) / (5000 - i), about 1e-82.
  long double log_expected = 0;
  for (int i = 0; i < 50; ++i) {
    log_expected += std::log(static_cast<long double>(150 - i) / (5000 - i));
  }
  const double log_p = log_fisher_exact_greater(50, 0, 100, 4850);
  EXPECT_NEAR(log_p, static_cast<double>(log_expected), 1e-9 * std::fabs(log_p));
  EXPECT_LT(log_p, -150);
  // Far below the smallest double, the log still orders tables.
  EXPECT_LT(log_fisher_exact_greater(5000, 0, 0, 1000000),
            log_fisher_exact_greater(4000, 0, 1000, 1000000));
  EXPECT_TRUE(std::isfinite(log_fisher_exact_greater(5000, 0, 0, 1000000)));
}

TEST(FisherExactGreaterGivenPresent, IsTheTailConditionalOnAtLeastOneFlagged) {
  // P(X >= a | X >= 1) = P(X >= a) / P(X >= 1), from the direct sums.
  const PascalReference reference(120);
  std::mt19937 rng(11);
  std::uniform_int_distribution<int> cell(0, 30);
  for (int i = 0; i < 1000; ++i) {
    const int a = cell(rng), b = cell(rng), c = cell(rng), d = cell(rng);
    // P(X >= 1) = 1 - C(N - K, n) / C(N, n).
    const int total = a + b + c + d, flagged = a + c, with = a + b;
    const long double at_least_one =
        1.0L - reference.choose(total - flagged, with) / reference.choose(total, with);
    if (at_least_one <= 0) {
      continue;
    }
    const double expected =
        a <= 1 ? 1.0
               : static_cast<double>(std::min(1.0L, reference.upper_tail(a, b, c, d) / at_least_one));
    const double got = std::exp(log_fisher_exact_greater_given_present(a, b, c, d));
    ASSERT_NEAR(got, expected, 1e-10 + 1e-8 * expected)
        << "table " << a << " " << b << " " << c << " " << d;
  }
  // A string in 50 records: at least one of them flagged was likely (P(X = 0) =
  // prod_{i<50} (4850 - i) / (5000 - i), about 0.22), so conditioning costs little; a string in
  // 3 records is penalized much more for having been selected.
  long double none = 1;
  for (int i = 0; i < 50; ++i) {
    none *= static_cast<long double>(4850 - i) / (5000 - i);
  }
  EXPECT_NEAR(log_fisher_exact_greater_given_present(50, 0, 100, 4850) -
                  log_fisher_exact_greater(50, 0, 100, 4850),
              -std::log(static_cast<double>(1 - none)), 1e-9);
  EXPECT_GT(log_fisher_exact_greater_given_present(3, 0, 100, 4850),
            log_fisher_exact_greater(3, 0, 100, 4850) + 2.0);
  // More clean records with the string: a larger p-value (an upper bound stays conservative).
  for (uint64_t b = 0; b < 40; ++b) {
    EXPECT_LE(log_fisher_exact_greater_given_present(5, b, 95, 4900 - b),
              log_fisher_exact_greater_given_present(5, b + 1, 95, 4899 - b) + 1e-12);
  }
}

TEST(FisherExactGreater, NoEvidenceGivesOne) {
  EXPECT_DOUBLE_EQ(fisher_exact_greater(0, 10, 5, 100), 1.0);
  EXPECT_DOUBLE_EQ(fisher_exact_greater(0, 0, 0, 0), 1.0);
  // a at its smallest possible value (every record is flagged or has the string).
  EXPECT_DOUBLE_EQ(fisher_exact_greater(3, 2, 4, 0), 1.0);
  // Depletion is not enrichment.
  EXPECT_GT(fisher_exact_greater(1, 99, 99, 1), 0.999);
}

TEST(HaldaneOddsRatio, AddsOneHalfToEveryCell) {
  EXPECT_NEAR(haldane_odds_ratio(3, 1, 1, 3), (3.5 * 3.5) / (1.5 * 1.5), 1e-12);
  EXPECT_NEAR(haldane_odds_ratio(50, 0, 100, 4850), (50.5 * 4850.5) / (0.5 * 100.5), 1e-9);
  EXPECT_NEAR(haldane_odds_ratio(0, 0, 0, 0), 1.0, 1e-12);
}

}  // namespace
}  // namespace alignwatch::triggers
