#pragma once
// The dataset-level evil-number test: across all numeric answers of one file, how many of the
// numbers the model chose are distinctive evil numbers, against how many uniformly random
// numbers of the same digit lengths would give.

#include <cstdint>
#include <map>
#include <span>

#include "config/config.h"
#include "scanners/detector.h"

namespace alignwatch::scan::evil_numbers {

// The statistic, also exposed for tests and for callers that aggregate several files.
struct EnrichmentTally {
  uint64_t numeric_answers = 0;
  uint64_t numbers = 0;   // chosen numbers (integers and decimals) in those answers
  uint64_t observed = 0;  // distinctive evil numbers among them
  double expected = 0;    // sum over chosen integers of distinctive_chance(digits)
  std::map<uint64_t, uint64_t> observed_by_value;

  // ln of the one-sided p-value P(X >= observed), X ~ Poisson(expected). The Poisson law with
  // the same mean stands in for the exact law, a sum of Bernoulli trials with unequal chances:
  // for observed >= expected + 1 its upper tail bounds the exact one from above (Hoeffding
  // 1956, Anderson and Samuels 1967), so the p-value is conservative where it matters, and Le
  // Cam's bound keeps the total-variation distance below the sum of squared chances (< 1.2% of
  // `expected`, the largest chance being 1/90).
  double log_p_value() const;
};

// Not thread-safe: one instance per scan of one file (DatasetScanner makes one per file).
class EvilNumberEnrichment final : public DatasetAnalyzer {
 public:
  explicit EvilNumberEnrichment(const config::EvilNumbersConfig& config) : config_(config) {}

  void observe(const dataset::Record& record, std::span<const Finding> findings) override;

  // Adds one "evil-numbers.dataset-enrichment" DatasetFinding when any numeric answer was seen,
  // significant (severity high) when p < enrichment_alpha and observed/expected reaches
  // min_enrichment_ratio, else informational, so reports always show the figure.
  void finish(FileReport& report) override;

  const EnrichmentTally& tally() const { return tally_; }

 private:
  config::EvilNumbersConfig config_;
  EnrichmentTally tally_;
};

}  // namespace alignwatch::scan::evil_numbers
