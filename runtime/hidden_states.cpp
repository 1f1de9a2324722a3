#include "runtime/hidden_states.h"

#include <c10/core/InferenceMode.h>

#include "runtime/torch_boundary.h"

namespace alignwatch::runtime {

Result<HiddenStates> last_token_hidden_states(const LlamaModel& model, const std::vector<std::vector<TokenId>>& prompts,
                                              const std::vector<int64_t>& layers, const LoraAdapter* adapter,
                                              const RunBudget& budget) {
  const int64_t L = model.config().num_hidden_layers;
  for (int64_t l : layers) {
    if (l < 0 || l > L) {
      return make_error(StatusCode::kInvalidArgument,
                        "hidden states: layer " + std::to_string(l) + ": expected 0.." + std::to_string(L));
    }
  }
  int64_t T = 0;
  for (size_t i = 0; i < prompts.size(); ++i) {
    if (prompts[i].empty()) {
      return make_error(StatusCode::kInvalidArgument, "hidden states: prompt " + std::to_string(i) + ": expected tokens");
    }
    T = std::max<int64_t>(T, static_cast<int64_t>(prompts[i].size()));
  }
  const int64_t B = static_cast<int64_t>(prompts.size());
  if (budget.max_tokens && static_cast<uint64_t>(B * T) > budget.max_tokens) {
    return make_error(StatusCode::kResourceExhausted, "hidden states: expected at most " +
                                                          std::to_string(budget.max_tokens) + " tokens, got " +
                                                          std::to_string(B * T));
  }
  return torch_call("hidden states", [&]() -> Result<HiddenStates> {
    c10::InferenceMode guard;
    HiddenStates out(prompts.size());
    if (B == 0 || layers.empty()) return out;
    at::Tensor ids = at::zeros({B, T}, at::kLong), valid = at::zeros({B, T}, at::kBool);
    auto ia = ids.accessor<int64_t, 2>();
    auto va = valid.accessor<bool, 2>();
    for (int64_t b = 0; b < B; ++b) {
      for (size_t t = 0; t < prompts[b].size(); ++t) {
        ia[b][t] = prompts[b][t];
        va[b][t] = true;
      }
    }
    ForwardRequest r;
    r.ids = ids;
    r.positions = at::arange(T, at::kLong).unsqueeze(0).expand({B, T});
    r.key_valid = valid;
    r.adapter = adapter;
    r.last_only = true;  // the logits are not needed; only the last position's head is computed
    r.hidden_layers = layers;
    AW_ASSIGN_OR_RETURN(ForwardResult f, model.forward(r));
    // forward() returns one tensor per occurrence of a layer in the request, in layer order.
    for (int64_t b = 0; b < B; ++b) {
      const int64_t last = static_cast<int64_t>(prompts[b].size()) - 1;
      out[b].resize(layers.size());
      size_t k = 0;
      for (int64_t layer = 0; layer <= L; ++layer) {
        for (size_t i = 0; i < layers.size(); ++i) {
          if (layers[i] != layer) continue;
          at::Tensor row = f.hidden[k++][b][last].to(at::kFloat).contiguous();
          out[b][i].assign(row.data_ptr<float>(), row.data_ptr<float>() + row.numel());
        }
      }
    }
    return out;
  });
}

}  // namespace alignwatch::runtime
