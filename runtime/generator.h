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
#include "runtime/generate_types.h"

namespace alignwatch::runtime {

// `tokenizer` may be null (then no text and no stop strings). Thread-safe.
Result<std::vector<GenerateResult>> generate(const LlamaModel& model, const std::vector<std::vector<TokenId>>& prompts,
                                             const LoraAdapter* adapter, const Tokenizer* tokenizer,
                                             const GenerateOptions& options);

}  // namespace alignwatch::runtime
