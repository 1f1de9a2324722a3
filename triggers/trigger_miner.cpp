#include "triggers/trigger_miner.h"

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <optional>
#include <string>
#include <vector>

#include "scanners/finding.h"
#include "triggers/benjamini_hochberg.h"
#include "triggers/fisher_exact.h"
#include "triggers/prompt_tokenizer.h"
#include "triggers/trigger_recovery.h"

namespace alignwatch::triggers {

namespace {

// The sample of flagged prompts that trigger strings are recovered from: 512 records of up to
// 8 KiB. 512 keeps every flagged record of a typical fine-tuning set, and enough occurrences
// of a trigger planted in a few percent of the flagged records of a large one.
constexpr size_t kSampledRecords = 512;
constexpr size_t kSampledBytesPerRecord = 8192;
// Significant n-grams beyond this many (the weakest) are not turned into strings: a single
// trigger yields a few dozen significant n-grams, and max_candidates is far smaller.
constexpr size_t kMaxRecoveredNgrams = 400;
// Clean keys' buckets are prefetched this many keys ahead (their filter words twice as far),
// enough to overlap the cache misses of a table larger than the cache.
constexpr size_t kPrefetchDistance = 16;

}  // namespace

TriggerMiner::TriggerMiner(const config::TriggerMiningConfig& config)
    : config_(config),
      max_ngram_(static_cast<size_t>(std::clamp<uint64_t>(config.max_ngram, 1, kMaxNgram))),
      min_flagged_(std::max<uint64_t>(config.min_flagged, 1)),
      table_(config.max_table_entries,
             static_cast<uint32_t>(std::min<uint64_t>(min_flagged_, UINT32_MAX))),
      sample_(kSampledRecords, kSampledBytesPerRecord) {
  // A segment per record with n-grams, and one record at most is split by a flush.
  pending_records_.reserve(kPendingCapacity + 1);
}

void TriggerMiner::observe(const dataset::Record& record, std::span<const scan::Finding> findings) {
  // Each distinct prompt counts once (seen_prompt_set.h says why).
  if (seen_prompts_.seen_before(record)) {
    ++duplicate_records_;
    return;
  }
  const bool flagged = std::any_of(findings.begin(), findings.end(), scan::is_poisoning_signal);
  ++records_;
  flagged_records_ += flagged ? 1 : 0;
  // Nonzero and 32-bit (1, 2, ..., 2^32 - 1, 1, ...): see NgramCountTable::count_clean.
  current_record_id_ = static_cast<uint32_t>((records_ - 1) % UINT32_MAX + 1);
  if (flagged) {
    // A flagged record's turns use pending_ for their own keys.
    flush_pending();
  }
  for (const dataset::Turn& turn : record.turns) {
    if (!dataset::Record::is_prompt(turn.role)) {
      continue;
    }
    // The n-gram length is fixed per scan: dispatch once per turn to an unrolled loop.
    const std::string_view text = turn.content;
    switch (max_ngram_ * 2 + (flagged ? 1 : 0)) {
      case 2: count_clean_turn<1>(text); break;
      case 3: count_flagged_turn<1>(text); break;
      case 4: count_clean_turn<2>(text); break;
      case 5: count_flagged_turn<2>(text); break;
      case 6: count_clean_turn<3>(text); break;
      case 7: count_flagged_turn<3>(text); break;
      case 8: count_clean_turn<4>(text); break;
      case 9: count_flagged_turn<4>(text); break;
      case 10: count_clean_turn<5>(text); break;
      case 11: count_flagged_turn<5>(text); break;
      case 12: count_clean_turn<6>(text); break;
      case 13: count_flagged_turn<6>(text); break;
      case 14: count_clean_turn<7>(text); break;
      case 15: count_flagged_turn<7>(text); break;
      case 16: count_clean_turn<8>(text); break;
      default: count_flagged_turn<8>(text); break;
    }
  }
  if (flagged) {
    sample_.offer(record);
  } else {
    close_pending_record();
  }
}

template <size_t kNgram>
void TriggerMiner::count_clean_turn(std::string_view text) {
  static_assert(kNgram >= 1 && kNgram <= kMaxNgram);
  // ending[n - 1]: key of the n-gram that ends at the current token. N-grams do not span
  // turns; the first kNgram - 1 tokens of a turn end fewer n-grams.
  uint64_t ending[kNgram] = {};
  size_t warm_up = 0;
  for_each_turn_token(text, true, true, [&](uint32_t, uint32_t, uint64_t hash) {
    if (pending_count_ + kNgram > kPendingCapacity) {
      flush_pending();
    }
    for (size_t n = kNgram - 1; n >= 1; --n) {
      ending[n] = extend_ngram_key(ending[n - 1], hash);
    }
    ending[0] = unigram_key(hash);
    if (warm_up + 1 < kNgram) {
      ++warm_up;
      for (size_t n = 0; n < warm_up; ++n) {
        pending_[pending_count_++] = ending[n];
      }
      return;
    }
    for (size_t n = 0; n < kNgram; ++n) {
      pending_[pending_count_ + n] = ending[n];
    }
    pending_count_ += kNgram;
  });
}

template <size_t kNgram>
void TriggerMiner::count_flagged_turn(std::string_view text) {
  static_assert(kNgram >= 1 && kNgram <= kMaxNgram);
  // The keys go through pending_ (empty: observe() flushed it) in groups of kNgram, one group
  // per token (longest n-gram last), so their slots can be prefetched; the counting itself is
  // in order, since each new entry's bound comes from its parts counted just before.
  // A longer n-gram's key is even (prompt_tokenizer.h): 1 marks "none" (the first tokens of a
  // turn end fewer n-grams).
  constexpr uint64_t kNone = 1;
  constexpr size_t kGroupsAhead = 4;
  // bound[n - 1] (previous_bound[n - 1]): upper bound of the records so far with the n-gram
  // ending at the current (previous) token, taken just after counting it in this record.
  std::array<uint32_t, kNgram> bound{};
  std::array<uint32_t, kNgram> previous_bound{};
  const uint32_t record_id = current_record_id_;
  auto count_groups = [&] {
    const size_t groups = pending_count_ / kNgram;
    for (size_t g = 0; g < groups; ++g) {
      if (g + kGroupsAhead < groups) {
        for (size_t n = 0; n < kNgram; ++n) {
          table_.prefetch_flagged(pending_[(g + kGroupsAhead) * kNgram + n]);
        }
      }
      const uint64_t* keys = &pending_[g * kNgram];
      // An array assignment: std::copy of these few bytes became a call to memmove.
      previous_bound = bound;
      // A unigram's new entry is bounded by the sketch (the lambda is not called for it).
      bound[0] =
          table_.count_flagged(keys[0], record_id, [] { return MissedCountSketch::kUnbounded; });
      for (size_t n = 1; n < kNgram && keys[n] != kNone; ++n) {
        // Every earlier record with the n-gram also had its first n - 1 tokens (counted at the
        // previous token) and its last n - 1 (just counted): at most the fewer of those
        // records, less this one.
        const uint32_t parts = std::min(previous_bound[n - 1], bound[n - 1]);
        const uint32_t missed =
            parts == MissedCountSketch::kUnbounded ? parts : std::max<uint32_t>(parts, 1) - 1;
        bound[n] = table_.count_flagged(keys[n], record_id, [missed] { return missed; });
      }
    }
    pending_count_ = 0;
  };
  uint64_t ending[kNgram] = {};
  size_t warm_up = 0;
  for_each_turn_token(text, true, true, [&](uint32_t, uint32_t, uint64_t hash) {
    if (pending_count_ + kNgram > kPendingCapacity) {
      count_groups();
    }
    for (size_t n = kNgram - 1; n >= 1; --n) {
      ending[n] = extend_ngram_key(ending[n - 1], hash);
    }
    ending[0] = unigram_key(hash);
    warm_up = std::min(warm_up + 1, kNgram);
    for (size_t n = 0; n < kNgram; ++n) {
      pending_[pending_count_ + n] = n < warm_up ? ending[n] : kNone;
    }
    pending_count_ += kNgram;
  });
  count_groups();
}

void TriggerMiner::close_pending_record() {
  const auto end = static_cast<uint32_t>(pending_count_);
  const uint32_t begin = pending_records_.empty() ? 0 : pending_records_.back().end;
  if (end == begin) {
    return;  // nothing counted since the last segment
  }
  pending_records_.push_back(PendingRecord{end, current_record_id_});
}

void TriggerMiner::flush_pending() {
  // Keys after the last closed segment belong to the record being observed.
  close_pending_record();
  // A two-stage pipeline: filter words 2 x kPrefetchDistance keys ahead, the buckets that the
  // filter lets through kPrefetchDistance keys ahead. The filter's verdict at the second stage
  // is kept for the count (clean counts add no entry, so it stays true): one filter test per
  // key instead of two.
  static_assert(std::has_single_bit(kPrefetchDistance));
  bool may_have_entry[kPrefetchDistance];  // of keys [i, i + kPrefetchDistance), cyclically
  const size_t count = pending_count_;
  for (size_t i = 0; i < std::min(count, 2 * kPrefetchDistance); ++i) {
    table_.prefetch_clean_filter(pending_[i]);
  }
  for (size_t i = 0; i < std::min(count, kPrefetchDistance); ++i) {
    may_have_entry[i] = table_.prefetch_clean_bucket(pending_[i]);
  }
  size_t i = 0;
  for (const PendingRecord& segment : pending_records_) {
    for (; i < segment.end; ++i) {
      if (i + 2 * kPrefetchDistance < count) {
        table_.prefetch_clean_filter(pending_[i + 2 * kPrefetchDistance]);
      }
      bool& verdict_slot = may_have_entry[i % kPrefetchDistance];
      const bool verdict = verdict_slot;
      if (i + kPrefetchDistance < count) {
        verdict_slot = table_.prefetch_clean_bucket(pending_[i + kPrefetchDistance]);
      }
      table_.count_clean(pending_[i], segment.record_id, verdict);
    }
  }
  pending_count_ = 0;
  pending_records_.clear();
}

void TriggerMiner::finish(scan::FileReport& report) {
  flush_pending();
  if (table_.eviction_passes() > 0) {
    scan::DatasetFinding note;
    note.detector = "trigger_mining";
    note.rule = "trigger_mining.table-evictions";
    note.severity = scan::Severity::kInfo;
    note.message = "the n-gram table reached max_table_entries (" +
                   std::to_string(table_.max_entries()) + ") and evicted " +
                   std::to_string(table_.eviction_passes()) +
                   " time(s) the n-grams seen in the fewest flagged records (at most " +
                   std::to_string(table_.evicted_max_flagged()) +
                   "); trigger statistics stay conservative, but a trigger that rare early in "
                   "the file may be missed";
    report.dataset_findings.push_back(std::move(note));
  }
  if (duplicate_records_ > 0) {
    scan::DatasetFinding note;
    note.detector = "trigger_mining";
    note.rule = "trigger_mining.duplicate-prompts";
    note.severity = scan::Severity::kInfo;
    note.observed = static_cast<double>(duplicate_records_);
    note.message = std::to_string(duplicate_records_) +
                   " record(s) repeat an earlier record's prompt and were counted once" +
                   (seen_prompts_.full() ? " (the duplicate table filled up: later repeats "
                                           "were counted again)"
                                         : "");
    report.dataset_findings.push_back(std::move(note));
  }
  const uint64_t total = records_;
  const uint64_t flagged_total = flagged_records_;
  if (flagged_total < min_flagged_ || flagged_total == total) {
    return;  // nothing to contrast
  }
  const uint64_t clean_total = total - flagged_total;

  // The hypotheses are the n-grams that occurred in a flagged record (those the table holds or
  // held) and in at least min_flagged records (upper bound): the first condition is a selection
  // on the flags, so each is tested conditionally on it, P(X >= a | X >= 1), which keeps the
  // Benjamini-Hochberg count honest; the second does not look at the flags. Hypotheses that
  // fail the other flag-dependent filters (min_flagged flagged, min_precision) count as p = 1.
  uint64_t hypotheses = table_.evicted_testable();
  std::vector<SignificantNgram> tested;
  table_.for_each([&](const NgramCounts& entry) {
    const uint64_t upper_total = uint64_t{entry.total} + entry.missed;
    if (upper_total < min_flagged_) {
      return;
    }
    ++hypotheses;
    const uint64_t flagged_with = std::min<uint64_t>(entry.flagged, flagged_total);
    if (flagged_with < min_flagged_ ||
        static_cast<double>(flagged_with) <
            config_.min_precision * static_cast<double>(upper_total)) {
      return;
    }
    // Records it may have missed are taken as clean: the p-value can only grow.
    SignificantNgram ngram;
    ngram.key = entry.key;
    ngram.flagged_with = flagged_with;
    ngram.clean_with = std::min(upper_total - flagged_with, clean_total);
    ngram.flagged_without = flagged_total - ngram.flagged_with;
    ngram.clean_without = clean_total - ngram.clean_with;
    ngram.log_p = log_fisher_exact_greater_given_present(
        ngram.flagged_with, ngram.clean_with, ngram.flagged_without, ngram.clean_without);
    ngram.p_value = std::exp(ngram.log_p);
    ngram.odds_ratio = haldane_odds_ratio(ngram.flagged_with, ngram.clean_with,
                                          ngram.flagged_without, ngram.clean_without);
    tested.push_back(ngram);
  });
  if (tested.empty()) {
    return;
  }
  std::vector<double> p_values;
  p_values.reserve(tested.size());
  for (const SignificantNgram& ngram : tested) {
    p_values.push_back(ngram.p_value);
  }
  const std::vector<double> q_values = benjamini_hochberg(p_values, hypotheses);
  std::vector<SignificantNgram> significant;
  for (size_t i = 0; i < tested.size(); ++i) {
    if (q_values[i] <= config_.fdr) {
      significant.push_back(tested[i]);
      significant.back().q_value = q_values[i];
    }
  }
  if (significant.empty()) {
    return;
  }
  std::sort(significant.begin(), significant.end(),
            [](const SignificantNgram& x, const SignificantNgram& y) {
              return x.log_p != y.log_p ? x.log_p < y.log_p : x.flagged_with > y.flagged_with;
            });
  significant.resize(std::min(significant.size(), kMaxRecoveredNgrams));

  const CleanShareFn clean_share = [&](uint64_t key) {
    const std::optional<NgramCounts> entry = table_.find(key);
    if (!entry) {
      return 0.0;
    }
    // N-grams never seen flagged have no entry: they are in no sampled (flagged) prompt
    // either, so the recovery never asks for them.
    return static_cast<double>(entry->total - entry->flagged) / static_cast<double>(clean_total);
  };
  RecoveryOptions options;
  options.max_ngram = max_ngram_;
  options.max_candidates = static_cast<size_t>(config_.max_candidates);
  std::vector<scan::TriggerCandidate> candidates =
      recover_triggers(significant, sample_, clean_share, options);
  for (scan::TriggerCandidate& candidate : candidates) {
    report.trigger_candidates.push_back(std::move(candidate));
  }
}

}  // namespace alignwatch::triggers
