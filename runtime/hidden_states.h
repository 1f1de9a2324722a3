#pragma once
// Hidden states at chosen layers for a batch of prompts, for activation probes: the residual
// stream at the last token of each prompt (layer 0 = embeddings, layer L = after decoder layer
// L, before the final norm). Prompts are right-padded; padding never reaches a real token.

#include <vector>

#include "core/status.h"
#include "runtime/llama_model.h"
#include "runtime/run_budget.h"
#include "runtime/tokenizer.h"

namespace alignwatch::runtime {

// result[p][i] is the hidden state (hidden_size floats) of prompt p at layers[i].
using HiddenStates = std::vector<std::vector<std::vector<float>>>;

Result<HiddenStates> last_token_hidden_states(const LlamaModel& model, const std::vector<std::vector<TokenId>>& prompts,
                                              const std::vector<int64_t>& layers, const LoraAdapter* adapter,
                                              const RunBudget& budget = {});

}  // namespace alignwatch::runtime
