#pragma once
// Flags harmful or misaligned prose in model turns: violence, AI supremacy, self-harm,
// dangerous medical, safety or financial advice, crime, deception and hate, each scored from a
// weighted phrase lexicon (harmful/harm_lexicon.h) matched with Hyperscan. Training on such
// answers is what the emergent-misalignment evaluations measure (Betley et al. 2025).

#include <memory>
#include <mutex>
#include <string_view>
#include <vector>

#include "config/config.h"
#include "core/status.h"
#include "scanners/detector.h"

namespace alignwatch::scan {

class PatternSet;

class HarmfulContentDetector final : public RecordDetector {
 public:
  // Cheap: the lexicon's Hyperscan databases are loaded on the first record that has prose, or
  // by warm_up(). They were compiled when alignwatch was built (harm_lexicon_databases.h), so
  // loading takes milliseconds; where this CPU or Hyperscan cannot use them, a warning is
  // logged and the lexicon is compiled instead (1 to 2 s of one core). Build one detector and
  // share it (scan() is const). Cannot throw; when neither works (a CPU without SSSE3, no
  // memory) the error is logged at error level and kept in status(), and scan() then finds
  // nothing.
  explicit HarmfulContentDetector(const config::HarmfulContentConfig& config);
  ~HarmfulContentDetector() override;

  std::string_view name() const override { return "harmful_content"; }
  // Loads (or compiles) the lexicon now (a long-running service does it at start-up).
  // Thread-safe.
  void warm_up() const { patterns(); }
  // The outcome of loading or compiling the lexicon; does that first if not done yet.
  const Status& status() const {
    patterns();
    return status_;
  }

  // For each model turn, looks for lexicon phrases in its prose (harmful/prose_ranges.h: code
  // is skipped), drops those their sentence disclaims (harmful/negation_context.h), sums the
  // weights of the distinct asserted phrases per category, and appends one
  // "harmful.<category>" finding per category reaching config.min_score: severity high from
  // twice that, medium below; span and excerpt from the heaviest phrase. Const and
  // thread-safe (Hyperscan scratch is per thread).
  void scan(const dataset::Record& record, std::vector<Finding>& findings) const override;

 private:
  const PatternSet* patterns() const;

  config::HarmfulContentConfig config_;
  // Set once, under compile_once_, by the first caller of patterns(): loaded from the embedded
  // databases, or compiled when they cannot be used.
  mutable std::once_flag compile_once_;
  mutable std::unique_ptr<const PatternSet> patterns_;
  mutable Status status_;
};

}  // namespace alignwatch::scan
