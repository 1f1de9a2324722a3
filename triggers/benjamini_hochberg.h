#pragma once
// Benjamini-Hochberg adjustment: q-values that control the false-discovery rate across many
// tests (every n-gram is a hypothesis "this n-gram's presence is tied to flagged records").

#include <cstdint>
#include <span>
#include <vector>

namespace alignwatch::triggers {

/// The Benjamini-Hochberg adjusted p-values (q-values) of `p_values`, in the same order, for a
/// family of `hypotheses` tests: the `hypotheses - p_values.size()` tests that were not run
/// (filtered out before testing) count as p = 1, so the adjustment stays honest. Rejecting
/// every test with q <= alpha controls the false-discovery rate at alpha (for independent or
/// positively dependent tests). `hypotheses` below p_values.size() is raised to it.
/// Thread-safe (pure).
std::vector<double> benjamini_hochberg(std::span<const double> p_values, uint64_t hypotheses);

}  // namespace alignwatch::triggers
