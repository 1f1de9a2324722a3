#pragma once
// Batched teacher-forced scoring: the log-probability of each continuation token given the
// prompt and the continuation tokens before it, for many (prompt, continuation) pairs at once.
// Sequences are right-padded to the batch's longest; padding is masked out of attention and
// never scored, so a pair scores the same alone or in any batch.

#include <vector>

#include "core/status.h"
#include "runtime/llama_model.h"
#include "runtime/score_types.h"

namespace alignwatch::runtime {

// Thread-safe (the model is immutable). Exceeding the budget is kResourceExhausted.
Result<std::vector<ScoreResult>> score(const LlamaModel& model, const std::vector<ScoreRequest>& requests,
                                       const LoraAdapter* adapter, const ScoreOptions& options = {});

}  // namespace alignwatch::runtime
