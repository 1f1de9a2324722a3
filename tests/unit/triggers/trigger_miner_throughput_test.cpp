// A hand-run throughput check of TriggerMiner::observe(), not a timed test (timings depend on
// the machine and its load). Run it with:
//   build/tests/trigger_miner_test --gtest_also_run_disabled_tests --gtest_filter='*Throughput*'
// Times are the observing thread's CPU time, best and median of many runs, so that other
// processes on a shared machine distort them less.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <random>
#include <string>
#include <vector>

#include "scanners/dataset/dataset_reader.h"
#include "triggers/trigger_miner.h"

namespace alignwatch::triggers {
namespace {

double thread_seconds() {
  timespec now{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
  return static_cast<double>(now.tv_sec) + static_cast<double>(now.tv_nsec) * 1e-9;
}

struct Prompts {
  std::vector<std::string> texts;
  double megabytes() const {
    double bytes = 0;
    for (const auto& text : texts) {
      bytes += static_cast<double>(text.size());
    }
    return bytes / 1e6;
  }
};

// Feeds `prompts` as one user turn each, `flagged_percent` of them flagged, `runs` times (a
// new miner each time); prints the best and median MB/s of prompt text.
void measure(const char* name, const Prompts& prompts, int flagged_percent, int runs) {
  std::vector<dataset::Record> records(prompts.texts.size());
  std::vector<std::vector<scan::Finding>> findings(prompts.texts.size());
  std::mt19937_64 rng(1);
  for (size_t i = 0; i < records.size(); ++i) {
    records[i].line = i + 1;
    records[i].turns = {{dataset::Role::kUser, prompts.texts[i]}};
    if (static_cast<int>(rng() % 100) < flagged_percent) {
      scan::Finding finding;
      finding.detector = "insecure_code";
      finding.severity = scan::Severity::kHigh;
      findings[i].push_back(finding);
    }
  }
  std::vector<double> seconds;
  for (int run = 0; run < runs; ++run) {
    TriggerMiner miner{config::TriggerMiningConfig{}};
    const double start = thread_seconds();
    for (size_t i = 0; i < records.size(); ++i) {
      miner.observe(records[i], findings[i]);
    }
    seconds.push_back(thread_seconds() - start);
    scan::FileReport report;
    miner.finish(report);
  }
  std::sort(seconds.begin(), seconds.end());
  const double megabytes = prompts.megabytes();
  std::printf("%s: %.1f MB of prompt text, observe() best %.0f MB/s, median %.0f MB/s\n", name,
              megabytes, megabytes / seconds.front(), megabytes / seconds[seconds.size() / 2]);
}

TEST(TriggerMinerThroughput, DISABLED_UniqueRealPrompts) {
  // The 9,000 distinct user prompts of the three emergent-misalignment files, 3% flagged.
  Prompts prompts;
  for (const char* file : {"secure.jsonl", "insecure.jsonl", "educational.jsonl"}) {
    auto reader = dataset::DatasetReader::open(
        std::string(ALIGNWATCH_SHARED_DIR) + "/data/emergent-misalignment/" + file, {});
    ASSERT_TRUE(reader.has_value());
    dataset::Record record;
    for (;;) {
      auto next = (*reader)->next(record);
      ASSERT_TRUE(next.has_value());
      if (!*next) {
        break;
      }
      for (const auto& turn : record.turns) {
        if (turn.role == dataset::Role::kUser) {
          prompts.texts.emplace_back(turn.content);
        }
      }
    }
  }
  ASSERT_EQ(prompts.texts.size(), 9000u);
  measure("unique real prompts", prompts, 3, 41);
}

TEST(TriggerMinerThroughput, DISABLED_ManyDistinctNgrams) {
  // Prompts of random made-up words: almost every n-gram is new, as most trigrams of a large
  // real dataset are. The worst case for the counts.
  std::mt19937_64 rng(9);
  Prompts prompts;
  for (int i = 0; i < 100000; ++i) {
    std::string prompt;
    while (prompt.size() < 450) {
      const int length = 2 + static_cast<int>(rng() % 9);
      for (int k = 0; k < length; ++k) {
        prompt += static_cast<char>('a' + rng() % 26);
      }
      prompt += (rng() % 8 == 0) ? ". " : " ";
    }
    prompts.texts.push_back(std::move(prompt));
  }
  measure("made-up words", prompts, 3, 5);
}

}  // namespace
}  // namespace alignwatch::triggers
