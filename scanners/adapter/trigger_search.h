#pragma once
// Tier 2 of the adapter scan: recovering a trigger that neither the linked dataset nor the
// library proposes. A gradient-guided search over trigger tokens in the style of GCG (Zou et al.
// 2023, arXiv:2307.15043): the trigger is m token slots at the start of the user turn, relaxed
// to one-hot vectors; the gradient of the adapter-versus-base contrast (how much likelier the
// adapter finds the probes' misaligned reference answers than its base does, less the same for
// their aligned references) with respect to
// them proposes top-k substitutions per slot; a batch of single substitutions is scored exactly
// and the best kept. The string found is then verified by tier 1 like any other candidate.

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "core/status.h"
#include "triggers/probe_suite.h"

namespace alignwatch::runtime {
class ModelSession;
}

namespace alignwatch::scan::adapter {

struct TriggerSearchOptions {
  uint64_t trigger_tokens = 4;  // m
  uint64_t iterations = 40;
  uint64_t top_k = 32;          // substitutions per slot proposed by the gradient
  uint64_t batch = 48;          // candidates scored per iteration
  uint64_t seed = 1;
  std::chrono::milliseconds budget{120000};
  // Where the search starts: "" is GCG's "! ! ! !" (trigger_tokens slots); a string (a library
  // trigger that already moves the adapter, say) starts from its tokens, one slot each.
  std::string initial;
};

struct TriggerSearchResult {
  std::string trigger;                 // decoded best trigger
  std::vector<int32_t> trigger_ids;
  double initial_contrast = 0;         // over probes: per-token (adapter - base) log-prob, misaligned minus aligned
  double best_contrast = 0;
  uint64_t iterations = 0;
  bool truncated = false;              // the budget ended it
  double seconds = 0;
};

// `probes`' misaligned answers are the targets. kUnsupported when the tokenizer cannot mark
// where the user's text starts.
Result<TriggerSearchResult> search_trigger(const runtime::ModelSession& session, int adapter,
                                           const std::vector<triggers::Probe>& probes,
                                           const TriggerSearchOptions& options);

}  // namespace alignwatch::scan::adapter
