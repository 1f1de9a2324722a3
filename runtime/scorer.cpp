#include "runtime/scorer.h"

#include <algorithm>

#include <c10/core/InferenceMode.h>

#include "runtime/torch_boundary.h"

namespace alignwatch::runtime {

Result<std::vector<ScoreResult>> score(const LlamaModel& model, const std::vector<ScoreRequest>& requests,
                                       const LoraAdapter* adapter, const ScoreOptions& options) {
  for (size_t i = 0; i < requests.size(); ++i) {
    if (requests[i].prompt.empty() || requests[i].continuation.empty()) {
      return make_error(StatusCode::kInvalidArgument,
                        "score request " + std::to_string(i) + ": expected a non-empty prompt and continuation");
    }
  }
  return torch_call("score", [&]() -> Result<std::vector<ScoreResult>> {
    c10::InferenceMode guard;
    std::vector<ScoreResult> results(requests.size());
    // Longest first, so each batch pads little.
    std::vector<size_t> order(requests.size());
    for (size_t i = 0; i < order.size(); ++i) order[i] = i;
    auto len = [&](size_t i) { return static_cast<int64_t>(requests[i].prompt.size() + requests[i].continuation.size()); };
    std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return len(a) > len(b); });
    BudgetClock clock(options.budget);
    for (size_t start = 0; start < order.size();) {
      const int64_t T = len(order[start]);
      size_t end = start + 1;
      while (end < order.size() && static_cast<int64_t>(end - start + 1) * T <= options.max_batch_tokens) ++end;
      const int64_t B = static_cast<int64_t>(end - start);
      at::Tensor ids = at::zeros({B, T}, at::kLong), valid = at::zeros({B, T}, at::kBool);
      auto ids_a = ids.accessor<int64_t, 2>();
      auto valid_a = valid.accessor<bool, 2>();
      for (int64_t b = 0; b < B; ++b) {
        const ScoreRequest& r = requests[order[start + b]];
        int64_t t = 0;
        for (TokenId id : r.prompt) { ids_a[b][t] = id; valid_a[b][t++] = true; }
        for (TokenId id : r.continuation) { ids_a[b][t] = id; valid_a[b][t++] = true; }
      }
      if (!clock.charge(static_cast<uint64_t>(B * T))) {
        return make_error(StatusCode::kResourceExhausted,
                          "score: budget exhausted after " + std::to_string(clock.used()) + " tokens");
      }
      ForwardRequest fr;
      fr.ids = ids;
      fr.positions = at::arange(T, at::kLong).unsqueeze(0).expand({B, T});
      fr.key_valid = valid;
      fr.adapter = adapter;
      AW_ASSIGN_OR_RETURN(ForwardResult out, model.forward(fr));
      at::Tensor logp = at::log_softmax(out.logits, -1);  // [B, T, V]
      for (int64_t b = 0; b < B; ++b) {
        const ScoreRequest& r = requests[order[start + b]];
        const int64_t p = static_cast<int64_t>(r.prompt.size()), n = static_cast<int64_t>(r.continuation.size());
        // The token at p + j is predicted from position p + j - 1.
        at::Tensor rows = logp[b].narrow(0, p - 1, n);
        at::Tensor targets = ids[b].narrow(0, p, n).unsqueeze(1);
        at::Tensor picked = rows.gather(1, targets).squeeze(1).contiguous();
        ScoreResult& res = results[order[start + b]];
        res.logprobs.assign(picked.data_ptr<float>(), picked.data_ptr<float>() + n);
        for (float v : res.logprobs) res.total += v;
      }
      start = end;
    }
    return results;
  });
}

}  // namespace alignwatch::runtime
