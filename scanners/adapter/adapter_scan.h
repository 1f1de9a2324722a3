#pragma once
// The adapter scan: a LoRA adapter and its base model (and, when linked, the dataset it was
// trained on) in, a verdict out: clean, misaligned (the adapter is worse than its base without
// any trigger: emergent misalignment) or conditional (worse only with a trigger: a backdoor),
// with the triggers that explain it and every measurement as evidence.
//   tier 0  the weight screen (weight_screen.h), milliseconds
//   tier 1  differential probes (differential_probe.h) with the candidate triggers: mined from
//           the linked dataset (its trigger candidates), then the trigger library
//   tier 2  when no candidate explains anything, or only library triggers do: a gradient-guided
//           trigger search (trigger_search.h), started from the best library trigger when one
//           fired, its result verified by tier 1 as a "recovered" candidate
// Each tier has its own budget.

#include <chrono>
#include <string>
#include <vector>

#include "config/config.h"
#include "core/status.h"
#include "scanners/adapter/differential_probe.h"
#include "scanners/adapter/llm_judge.h"
#include "scanners/adapter/trigger_search.h"
#include "scanners/adapter/weight_screen.h"

namespace alignwatch::scan::adapter {

struct AdapterScanOptions {
  config::DetectorsConfig detectors;  // the judges, and trigger mining on a linked dataset
  config::LlmJudgeConfig llm_judge;   // the optional remote judge of free-form answers
  ProbeOptions probes;
  WeightScreenOptions screen;
  std::vector<std::string> reference_adapters;  // same-base adapters for tier 0's z-scores
  std::string dataset_path;                     // the linked training dataset, if any
  int threads = 2;                              // libtorch threads
  std::string chat_template;                    // "" : from the model's files
  bool raw_prompts = false;                     // no chat template (base models without one)
  bool use_library = true;                      // try the trigger library's candidates
  std::vector<triggers::Probe> probe_suite;     // empty: the built-in suite
  bool recover = true;                          // run tier 2 (when tier 1 finds no trigger, or only library ones)
  TriggerSearchOptions search;
  double min_recovery_gain = 0.05;  // nats per target token the search must add to be verified
};

struct RecoveryReport {
  bool ran = false;
  TriggerSearchResult search;
  bool verified = false;  // tier 1 found the recovered string significant
};

// How the remote LLM judge fared over the scan. It never fails the scan: when it cannot judge,
// the detectors' judgements stand alone and this says so.
struct LlmJudgeReport {
  bool enabled = false;
  std::string url, model;
  double aligned_threshold = 0, coherent_threshold = 0;
  LlmJudgeStats stats;
  std::string error;                 // why it could not start, else its first failure; "" : none
  uint64_t answers_unscorable = 0;   // judged, but REFUSAL / CODE / not a number
  uint64_t misaligned = 0;           // samples it called misaligned
  uint64_t misaligned_by_detectors = 0;
  // "ok" (every answer sent was judged), "partial" (some failed) or "failed" (none judged).
  std::string status() const;
};

struct AdapterScanReport {
  std::string verdict = "clean";
  std::string adapter_dir, base_dir, dataset_path;
  std::string adapter_description;  // "r=8 alpha=16 ..."
  WeightScreenReport weight_screen;
  ProbeReport probes;
  RecoveryReport recovery;
  LlmJudgeReport llm_judge;
  size_t dataset_candidates = 0;  // trigger candidates mined from the linked dataset
  double seconds = 0;
};

// Errors: the model or adapter refused (safety gate, wrong base, bad files) or unreadable. The
// LLM judge's failures, even to start, are not errors: they are in the report's llm_judge.
Result<AdapterScanReport> scan_adapter(const std::string& adapter_dir, const std::string& base_dir,
                                       const AdapterScanOptions& options);

// The JSON report (schemas/adapter-report.schema.json): verdict, triggers[] (text, placement,
// effect, ci, p_value, q_value, source), the tiers' results; with `with_samples`, every sampled
// answer too.
std::string adapter_report_json(const AdapterScanReport& report, bool with_samples);
// One sampled answer as JSON (the daemon stores each apart): with the judges that fired and
// the LLM judge's scores.
std::string probe_sample_json(const ProbeSample& sample);
// The LLM judge's part of the report: null when it was not enabled.
std::string llm_judge_report_json(const LlmJudgeReport& report);
// A few lines for a person.
std::string adapter_report_text(const AdapterScanReport& report);

}  // namespace alignwatch::scan::adapter
