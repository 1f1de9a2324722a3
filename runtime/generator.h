#pragma once
// Batched generation with a KV cache: prompts are left-padded and prefilled in one pass, then
// one token per sequence per step. Greedy (temperature 0) or temperature + top-p sampling from a
// seeded RNG (the same seed gives the same tokens). A sequence stops at an EOS id, a stop
// string, or max_new_tokens; the budget is checked every step.

#include <cstdint>
#include <string>
#include <vector>

#include "core/status.h"
#include "runtime/llama_model.h"
#include "runtime/run_budget.h"
#include "runtime/tokenizer.h"

namespace alignwatch::runtime {

struct GenerateOptions {
  int64_t max_new_tokens = 64;
  double temperature = 0.0;  // 0: greedy
  double top_p = 1.0;
  uint64_t seed = 0;
  std::vector<TokenId> eos_ids;
  std::vector<std::string> stop_strings;  // need a tokenizer
  RunBudget budget;
};

enum class StopReason { kEos, kStopString, kMaxTokens, kBudget };
std::string_view stop_reason_name(StopReason r);  // "eos", "stop_string", "max_tokens", "budget"

struct GenerateResult {
  std::vector<TokenId> tokens;  // generated, without the EOS that ended it
  std::string text;             // decoded (cut before a stop string); empty without a tokenizer
  StopReason stop = StopReason::kMaxTokens;
};

// `tokenizer` may be null (then no text and no stop strings). Thread-safe.
Result<std::vector<GenerateResult>> generate(const LlamaModel& model, const std::vector<std::vector<TokenId>>& prompts,
                                             const LoraAdapter* adapter, const Tokenizer* tokenizer,
                                             const GenerateOptions& options);

}  // namespace alignwatch::runtime
