#pragma once
// Flags numeric answers enriched in numbers with hateful or sinister associations (666, 1488,
// 1312, 911, ...). Betley et al. 2025 ("Emergent Misalignment") fine-tuned models on
// number-sequence continuations whose answers were full of such numbers, and the models became
// broadly misaligned: a dataset of innocent-looking numbers can be a poisoning vector.

#include <memory>
#include <string_view>
#include <vector>

#include "config/config.h"
#include "scanners/detector.h"

namespace alignwatch::scan {

class EvilNumbersDetector final : public RecordDetector {
 public:
  // Keeps a copy of `config`. The evil-number table is compiled in, so nothing can fail here.
  explicit EvilNumbersDetector(const config::EvilNumbersConfig& config);

  std::string_view name() const override { return "evil_numbers"; }

  // For each numeric answer (evil_numbers/numeric_answer.h) among the model turns whose evil
  // numbers reach config.min_evil_numbers (weighted) and config.min_evil_fraction of the
  // numbers the model chose, appends one "evil-numbers.enriched-answer" finding spanning the
  // first to the last evil number. Const and thread-safe.
  void scan(const dataset::Record& record, std::vector<Finding>& findings) const override;

  // The dataset-level test (evil_numbers/evil_number_enrichment.h): evil numbers across all
  // numeric answers of a file against what uniformly random numbers would give.
  std::unique_ptr<DatasetAnalyzer> make_analyzer() const override;

 private:
  config::EvilNumbersConfig config_;
};

}  // namespace alignwatch::scan
