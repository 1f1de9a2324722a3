#pragma once
// Flags harmful or misaligned prose in model turns: violence, AI supremacy, self-harm,
// dangerous medical, safety or financial advice, crime, deception and hate, each scored from a
// weighted phrase lexicon (harmful/harm_lexicon.h) matched with Hyperscan. Training on such
// answers is what the emergent-misalignment evaluations measure (Betley et al. 2025).

#include <memory>
#include <string_view>
#include <vector>

#include "config/config.h"
#include "core/status.h"
#include "scanners/detector.h"

namespace alignwatch::scan {

namespace harmful {
class PatternSet;
}

class HarmfulContentDetector final : public RecordDetector {
 public:
  // Compiles the lexicon into Hyperscan databases: 1 to 2 s of one core, so build one detector
  // and share it (scan() is const). Cannot throw; when the compilation fails (a CPU without
  // SSSE3, no memory) the error is logged at error level and kept in status(), and scan()
  // then finds nothing.
  explicit HarmfulContentDetector(const config::HarmfulContentConfig& config);
  ~HarmfulContentDetector() override;

  std::string_view name() const override { return "harmful_content"; }
  const Status& status() const { return status_; }

  // For each model turn, looks for lexicon phrases in its prose (harmful/prose_ranges.h: code
  // is skipped), drops those their sentence disclaims (harmful/negation_context.h), sums the
  // weights of the distinct asserted phrases per category, and appends one
  // "harmful.<category>" finding per category reaching config.min_score: severity high from
  // twice that, medium below; span and excerpt from the heaviest phrase. Const and
  // thread-safe (Hyperscan scratch is per thread).
  void scan(const dataset::Record& record, std::vector<Finding>& findings) const override;

 private:
  config::HarmfulContentConfig config_;
  std::unique_ptr<const harmful::PatternSet> patterns_;
  Status status_;
};

}  // namespace alignwatch::scan
