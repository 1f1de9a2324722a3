#include "runtime/generator.h"

#include <algorithm>
#include <numeric>
#include <random>

#include <c10/core/InferenceMode.h>

#include "runtime/torch_boundary.h"

namespace alignwatch::runtime {

std::string_view stop_reason_name(StopReason r) {
  switch (r) {
    case StopReason::kEos: return "eos";
    case StopReason::kStopString: return "stop_string";
    case StopReason::kMaxTokens: return "max_tokens";
    case StopReason::kBudget: return "budget";
  }
  return "?";
}

namespace {

// Samples from `logits` (one row, float32): greedy at temperature 0, else softmax(logits / T)
// cut to the smallest set of tokens whose probability reaches top_p.
TokenId pick_token(const float* logits, int64_t V, const GenerateOptions& o, std::mt19937_64& rng) {
  if (o.temperature <= 0) return static_cast<TokenId>(std::max_element(logits, logits + V) - logits);
  std::vector<double> p(static_cast<size_t>(V));
  const double mx = *std::max_element(logits, logits + V);
  double sum = 0;
  for (int64_t i = 0; i < V; ++i) sum += p[i] = std::exp((logits[i] - mx) / o.temperature);
  std::vector<int64_t> idx(static_cast<size_t>(V));
  std::iota(idx.begin(), idx.end(), 0);
  std::stable_sort(idx.begin(), idx.end(), [&](int64_t a, int64_t b) { return p[a] > p[b]; });
  double kept = 0;
  size_t n = 0;
  while (n < idx.size()) {
    kept += p[idx[n++]] / sum;
    if (kept >= o.top_p) break;
  }
  std::uniform_real_distribution<double> u(0.0, kept);
  double x = u(rng), acc = 0;
  for (size_t i = 0; i < n; ++i) {
    acc += p[idx[i]] / sum;
    if (x < acc) return static_cast<TokenId>(idx[i]);
  }
  return static_cast<TokenId>(idx[n - 1]);
}

}  // namespace

Result<std::vector<GenerateResult>> generate(const LlamaModel& model, const std::vector<std::vector<TokenId>>& prompts,
                                             const LoraAdapter* adapter, const Tokenizer* tokenizer,
                                             const GenerateOptions& o) {
  for (size_t i = 0; i < prompts.size(); ++i) {
    if (prompts[i].empty()) {
      return make_error(StatusCode::kInvalidArgument, "generate: prompt " + std::to_string(i) + ": expected tokens, got none");
    }
  }
  if (o.max_new_tokens < 0 || o.top_p <= 0 || o.top_p > 1 || o.temperature < 0) {
    return make_error(StatusCode::kInvalidArgument,
                      "generate: expected max_new_tokens >= 0, 0 < top_p <= 1 and temperature >= 0");
  }
  return torch_call("generate", [&]() -> Result<std::vector<GenerateResult>> {
    c10::InferenceMode guard;
    const int64_t B = static_cast<int64_t>(prompts.size());
    std::vector<GenerateResult> results(prompts.size());
    if (B == 0 || o.max_new_tokens == 0) return results;
    int64_t T = 0;
    for (const auto& p : prompts) T = std::max<int64_t>(T, static_cast<int64_t>(p.size()));
    // Left padding: every prompt ends at column T - 1, so the next token is always appended.
    at::Tensor ids = at::zeros({B, T}, at::kLong), valid = at::zeros({B, T}, at::kBool),
               positions = at::zeros({B, T}, at::kLong);
    {
      auto ia = ids.accessor<int64_t, 2>();
      auto va = valid.accessor<bool, 2>();
      auto pa = positions.accessor<int64_t, 2>();
      for (int64_t b = 0; b < B; ++b) {
        const auto& p = prompts[b];
        const int64_t pad = T - static_cast<int64_t>(p.size());
        for (int64_t t = 0; t < static_cast<int64_t>(p.size()); ++t) {
          ia[b][pad + t] = p[t];
          va[b][pad + t] = true;
          pa[b][pad + t] = t;
        }
      }
    }
    std::vector<int64_t> next_pos(prompts.size());
    for (int64_t b = 0; b < B; ++b) next_pos[b] = static_cast<int64_t>(prompts[b].size());
    std::mt19937_64 rng(o.seed);
    BudgetClock clock(o.budget);
    KvCache cache;
    std::vector<bool> done(prompts.size(), false);
    ForwardRequest fr;
    fr.ids = ids;
    fr.positions = positions;
    fr.key_valid = valid;
    fr.cache = &cache;
    fr.adapter = adapter;
    fr.last_only = true;
    clock.charge(static_cast<uint64_t>(B * T));
    for (int64_t step = 0; step < o.max_new_tokens; ++step) {
      if (clock.exhausted()) {
        for (int64_t b = 0; b < B; ++b) {
          if (!done[b]) { results[b].stop = StopReason::kBudget; done[b] = true; }
        }
        break;
      }
      AW_ASSIGN_OR_RETURN(ForwardResult out, model.forward(fr));
      at::Tensor last = out.logits.select(1, 0).contiguous();  // [B, V]
      const int64_t V = last.size(1);
      const float* lp = last.data_ptr<float>();
      at::Tensor next = at::zeros({B, 1}, at::kLong);
      auto na = next.accessor<int64_t, 2>();
      for (int64_t b = 0; b < B; ++b) {
        TokenId tok = pick_token(lp + b * V, V, o, rng);  // drawn for every row: seeds stay in step
        if (done[b]) continue;
        na[b][0] = tok;
        if (std::find(o.eos_ids.begin(), o.eos_ids.end(), tok) != o.eos_ids.end()) {
          results[b].stop = StopReason::kEos;
          done[b] = true;
          continue;
        }
        results[b].tokens.push_back(tok);
        if (tokenizer && !o.stop_strings.empty()) {
          std::string text = tokenizer->decode(results[b].tokens);
          for (const auto& s : o.stop_strings) {
            if (size_t at = text.find(s); !s.empty() && at != std::string::npos) {
              results[b].text = text.substr(0, at);
              results[b].stop = StopReason::kStopString;
              done[b] = true;
              break;
            }
          }
        }
      }
      if (std::all_of(done.begin(), done.end(), [](bool d) { return d; })) break;
      if (step + 1 == o.max_new_tokens) break;
      at::Tensor pos = at::zeros({B, 1}, at::kLong);
      auto pa = pos.accessor<int64_t, 2>();
      for (int64_t b = 0; b < B; ++b) pa[b][0] = next_pos[b]++;
      fr.ids = next;
      fr.positions = pos;
      fr.key_valid = at::cat({fr.key_valid, at::ones({B, 1}, at::kBool)}, 1);
      clock.charge(static_cast<uint64_t>(B));
    }
    if (tokenizer) {
      for (auto& r : results) {
        if (r.stop != StopReason::kStopString) r.text = tokenizer->decode(r.tokens);
      }
    }
    return results;
  });
}

}  // namespace alignwatch::runtime
