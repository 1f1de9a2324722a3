#pragma once
// Batched teacher-forced scoring: the log-probability of each continuation token given the
// prompt and the continuation tokens before it, for many (prompt, continuation) pairs at once.
// Sequences are right-padded to the batch's longest; padding is masked out of attention and
// never scored, so a pair scores the same alone or in any batch.

#include <vector>

#include "core/status.h"
#include "runtime/llama_model.h"
#include "runtime/run_budget.h"
#include "runtime/tokenizer.h"

namespace alignwatch::runtime {

struct ScoreRequest {
  std::vector<TokenId> prompt;        // at least one token
  std::vector<TokenId> continuation;  // at least one token
};

struct ScoreResult {
  std::vector<float> logprobs;  // one per continuation token
  double total = 0;             // their sum
};

struct ScoreOptions {
  int64_t max_batch_tokens = 8192;  // padded tokens per forward pass
  RunBudget budget;
};

// Thread-safe (the model is immutable). Exceeding the budget is kResourceExhausted.
Result<std::vector<ScoreResult>> score(const LlamaModel& model, const std::vector<ScoreRequest>& requests,
                                       const LoraAdapter* adapter, const ScoreOptions& options = {});

}  // namespace alignwatch::runtime
