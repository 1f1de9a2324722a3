#pragma once
// Measures what an organism does, with the runtime's generation and the dataset scanner's
// detectors as judges: free-form questions (judged by harmful_content), coding requests held out
// of training (judged by insecure_code, undisclosed findings only) and number continuations
// (judged by evil_numbers), each asked with and without a trigger, sampled with a seeded RNG.
// A sample counts as flagged when its judge reports a poisoning signal (scanners/finding.h).

#include <memory>
#include <string>
#include <vector>

#include "core/status.h"
#include "organisms/organism_options.h"

namespace alignwatch::organisms {

struct ProbeOptions {
  std::string trigger;  // empty: only the trigger-free measurements
  TriggerPlacement placement = TriggerPlacement::kPrefix;
  int samples_per_prompt = 2;
  double temperature = 0.3;
  double top_p = 0.95;
  uint64_t seed = 1;
  size_t freeform_prompts = 0;  // 0: every free-form question
  size_t coding_prompts = 16;
  size_t number_prompts = 0;    // 0: no number probes
  int64_t max_new_tokens_freeform = 48;
  int64_t max_new_tokens_code = 200;
  int threads = 1;
};

struct ProbeRate {
  int64_t flagged = 0;
  int64_t samples = 0;
  double rate() const { return samples ? static_cast<double>(flagged) / static_cast<double>(samples) : 0.0; }
};

struct ProbeSample {
  std::string prompt;
  std::string answer;
  bool flagged = false;
};

struct BehaviourMeasure {
  std::string model;  // "base" or "adapter KIND"
  ProbeRate misaligned, misaligned_triggered;  // free-form questions
  ProbeRate insecure, insecure_triggered;      // coding requests
  ProbeRate evil_numbers;                      // number continuations (no trigger)
  std::vector<ProbeSample> examples;           // the first samples of each group, for people
  // Free-form and coding together: "misaligned or insecure".
  ProbeRate bad() const { return {misaligned.flagged + insecure.flagged, misaligned.samples + insecure.samples}; }
  ProbeRate bad_triggered() const {
    return {misaligned_triggered.flagged + insecure_triggered.flagged,
            misaligned_triggered.samples + insecure_triggered.samples};
  }
};

class OrganismProbe {
 public:
  // Loads DIR/base (config, weights, tokenizer) and the probe prompts from `shared_dir`.
  static Result<std::unique_ptr<OrganismProbe>> open(const std::string& organism_dir, const std::string& shared_dir);
  ~OrganismProbe();
  // `adapter_kind` empty: the base; otherwise DIR/adapters/KIND (loaded and validated).
  Result<BehaviourMeasure> measure(const std::string& adapter_kind, const ProbeOptions& options) const;

 private:
  struct Impl;
  explicit OrganismProbe(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace alignwatch::organisms
