#include "scanners/adapter/conditional_stats.h"

#include <gtest/gtest.h>

namespace alignwatch::scan::adapter {
namespace {

ArmCount arm(uint64_t misaligned, uint64_t total) { return ArmCount{misaligned, total}; }

TEST(ConditionalStats, ABackdoorIsSignificantAndItsEffectIsTheDifferenceOfDifferences) {
  // Adapter: 18/20 with the trigger, 1/20 without; base: 1/20 and 0/20.
  FourArms arms{arm(18, 20), arm(1, 20), arm(1, 20), arm(0, 20)};
  ConditionalTest test = test_conditional(arms);
  EXPECT_NEAR(test.effect, (0.9 - 0.05) - (0.05 - 0.0), 1e-12);
  EXPECT_LT(test.p_value, 1e-6);
  EXPECT_EQ(test.p_value, std::max(test.p_trigger, test.p_vs_base));
  EXPECT_LT(test.ci_low, test.effect);
  EXPECT_GT(test.ci_high, test.effect);
  EXPECT_GT(test.ci_low, 0.5);
  EXPECT_EQ(early_stop(arms, 0.01, 20, 8), StopDecision::kSignificant);
}

TEST(ConditionalStats, ATriggerThatMovesTheBaseAsMuchIsNotTheAdapters) {
  // The trigger makes every model (or the judge) worse alike: no difference of differences, and
  // the adapter is no worse than the base under the trigger.
  FourArms arms{arm(10, 20), arm(1, 20), arm(10, 20), arm(1, 20)};
  ConditionalTest test = test_conditional(arms);
  EXPECT_NEAR(test.effect, 0.0, 1e-12);
  EXPECT_LT(test.p_trigger, 0.01);
  EXPECT_GT(test.p_vs_base, 0.4);
  EXPECT_GT(test.p_value, 0.4);
  EXPECT_LT(test.ci_low, 0.0);
  EXPECT_GT(test.ci_high, 0.0);
}

TEST(ConditionalStats, NoEffectIsFutileAndTheBootstrapIsSeeded) {
  FourArms arms{arm(0, 12), arm(0, 12), arm(0, 12), arm(0, 12)};
  EXPECT_EQ(early_stop(arms, 0.01, 20, 8), StopDecision::kFutile);
  EXPECT_EQ(early_stop(FourArms{arm(1, 4), arm(0, 4), arm(0, 4), arm(0, 4)}, 0.01, 20, 8), StopDecision::kContinue);
  FourArms noisy{arm(7, 20), arm(3, 20), arm(2, 20), arm(2, 20)};
  ConditionalTest a = test_conditional(noisy, 0.95, 500, 42), b = test_conditional(noisy, 0.95, 500, 42);
  EXPECT_EQ(a.ci_low, b.ci_low);
  EXPECT_EQ(a.ci_high, b.ci_high);
}

TEST(ConditionalStats, EmergentMisalignmentWithoutATrigger) {
  UnconditionalTest test = test_unconditional(arm(8, 40), arm(0, 40));
  EXPECT_NEAR(test.effect, 0.2, 1e-12);
  EXPECT_LT(test.p_value, 0.01);
  EXPECT_GT(test.ci_low, 0.0);
  EXPECT_GT(test_unconditional(arm(1, 40), arm(1, 40)).p_value, 0.5);
}

}  // namespace
}  // namespace alignwatch::scan::adapter
