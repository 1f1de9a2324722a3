#include "triggers/benjamini_hochberg.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <vector>

namespace alignwatch::triggers {
namespace {

TEST(BenjaminiHochberg, MatchesRPadjust) {
  // R: p.adjust(c(0.01, 0.04, 0.03, 0.005), "BH") = 0.02 0.04 0.04 0.02
  const std::vector<double> p = {0.01, 0.04, 0.03, 0.005};
  const std::vector<double> q = benjamini_hochberg(p, p.size());
  ASSERT_EQ(q.size(), 4u);
  EXPECT_NEAR(q[0], 0.02, 1e-15);
  EXPECT_NEAR(q[1], 0.04, 1e-15);
  EXPECT_NEAR(q[2], 0.04, 1e-15);
  EXPECT_NEAR(q[3], 0.02, 1e-15);
}

TEST(BenjaminiHochberg, UntestedHypothesesCountAsPOne) {
  // R: p.adjust(c(0.01, 0.04, 0.03, 0.005, 1, 1, 1, 1, 1, 1), "BH")[1:4] = 0.05 0.10 0.10 0.05
  const std::vector<double> p = {0.01, 0.04, 0.03, 0.005};
  const std::vector<double> q = benjamini_hochberg(p, 10);
  EXPECT_NEAR(q[0], 0.05, 1e-15);
  EXPECT_NEAR(q[1], 0.10, 1e-15);
  EXPECT_NEAR(q[2], 0.10, 1e-15);
  EXPECT_NEAR(q[3], 0.05, 1e-15);
  // Fewer hypotheses than p-values is read as exactly the p-values.
  EXPECT_EQ(benjamini_hochberg(p, 1), benjamini_hochberg(p, 4));
}

TEST(BenjaminiHochberg, PaperExampleRejectsFourAtFivePercent) {
  // Benjamini & Hochberg (1995), section 4: 15 p-values, the procedure at 0.05 rejects the
  // four smallest (Bonferroni only three).
  const std::vector<double> p = {0.0001, 0.0004, 0.0019, 0.0095, 0.0201, 0.0278, 0.0298, 0.0344,
                                 0.0459, 0.3240, 0.4262, 0.5719, 0.6528, 0.7590, 1.0000};
  const std::vector<double> q = benjamini_hochberg(p, p.size());
  const auto rejected = std::count_if(q.begin(), q.end(), [](double v) { return v <= 0.05; });
  EXPECT_EQ(rejected, 4);
  EXPECT_NEAR(q[3], 0.0095 * 15 / 4, 1e-15);
  EXPECT_DOUBLE_EQ(q[14], 1.0);
}

TEST(BenjaminiHochberg, IsMonotoneInPAndCappedAtOne) {
  const std::vector<double> p = {0.9, 0.2, 0.5, 0.2, 0.7};
  const std::vector<double> q = benjamini_hochberg(p, 100);
  for (double v : q) {
    EXPECT_LE(v, 1.0);
  }
  EXPECT_EQ(q[1], q[3]);
  EXPECT_LE(q[1], q[2]);
  EXPECT_TRUE(benjamini_hochberg({}, 10).empty());
}

}  // namespace
}  // namespace alignwatch::triggers
