#pragma once
// What a scoring call takes and returns (no libtorch here; see scorer.h).

#include <vector>

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

}  // namespace alignwatch::runtime
