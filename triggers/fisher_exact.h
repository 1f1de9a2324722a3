#pragma once
// Fisher's exact test for a 2x2 table and the Haldane-corrected odds ratio: how strongly the
// presence of a string in a record is tied to the record being flagged.
//
//                   flagged   not flagged
//   with string        a           b
//   without string     c           d

#include <cstdint>

namespace alignwatch::triggers {

/// Natural log of the one-sided ("greater") Fisher exact p-value: the probability, with all
/// margins fixed (a hypergeometric draw), of `a` or more in the top-left cell. Summed in log
/// space from exact log-binomials, so p-values far below 1e-300 keep their magnitude. Any
/// counts are accepted; the result is in [-inf, 0]. Thread-safe (pure).
double log_fisher_exact_greater(uint64_t a, uint64_t b, uint64_t c, uint64_t d);

/// Natural log of the one-sided Fisher p-value conditional on the top-left cell being at least
/// 1: log P(X >= a | X >= 1) = log P(X >= a) - log P(X >= 1). The valid p-value for a string
/// that is only tested because it occurred in a flagged record (a selection on X >= 1). Grows
/// with b (more clean records with the string), so an upper bound of b keeps it conservative.
/// 0 when a <= 1 or when X >= 1 is impossible. Thread-safe (pure).
double log_fisher_exact_greater_given_present(uint64_t a, uint64_t b, uint64_t c, uint64_t d);

/// exp(log_fisher_exact_greater(a, b, c, d)): 0 when it underflows.
double fisher_exact_greater(uint64_t a, uint64_t b, uint64_t c, uint64_t d);

/// The odds ratio (a d) / (b c) with 0.5 added to every cell (Haldane-Anscombe), so it is finite
/// when a cell is empty. Thread-safe (pure).
double haldane_odds_ratio(uint64_t a, uint64_t b, uint64_t c, uint64_t d);

}  // namespace alignwatch::triggers
