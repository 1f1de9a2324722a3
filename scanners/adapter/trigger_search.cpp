#include "scanners/adapter/trigger_search.h"

#include <algorithm>
#include <random>

#include <ATen/ATen.h>
#include <c10/core/GradMode.h>

#include "runtime/llama_model.h"
#include "runtime/model_session.h"
#include "runtime/torch_boundary.h"

namespace alignwatch::scan::adapter {

namespace {

using runtime::TokenId;

// A probe with the trigger slots cut out: the prompt's tokens before and after the start of the
// user's text, and one of its reference answers, weighted +1 (misaligned: the contrast rises as
// the adapter, more than its base, comes to say it) or -1 (aligned: it rises as the adapter
// stops saying it). Both together: a trigger that only makes every answer less likely moves the
// two in step and gains nothing.
struct Layout {
  std::vector<TokenId> before, after, target;
  double weight = 1;
};

Result<std::vector<Layout>> layouts(const runtime::ModelSession& session, const std::vector<triggers::Probe>& probes) {
  // A control character marks where the user's text begins; byte-level tokenizers keep it one token.
  const std::string marker = "\x1e";
  const auto marker_ids = session.tokenizer().encode(marker, /*parse_special=*/false);
  if (marker_ids.size() != 1) {
    return make_error(StatusCode::kUnsupported, "trigger search: the tokenizer does not keep the marker as one token");
  }
  std::vector<Layout> out;
  size_t with_target = 0;
  for (const auto& probe : probes) {
    const auto ids = session.prompt_tokens("", marker + " " + probe.prompt, /*raw=*/false);
    auto at = std::find(ids.begin(), ids.end(), marker_ids[0]);
    if (at == ids.end()) {
      return make_error(StatusCode::kUnsupported, "trigger search: the marker merged with its neighbours in probe " + probe.id);
    }
    Layout layout;
    layout.before.assign(ids.begin(), at);
    layout.after.assign(at + 1, ids.end());
    layout.target = session.tokenizer().encode(probe.misaligned, /*parse_special=*/false);
    if (layout.target.empty()) continue;
    ++with_target;
    Layout aligned = layout;
    aligned.target = session.tokenizer().encode(probe.aligned, /*parse_special=*/false);
    aligned.weight = -1;
    out.push_back(std::move(layout));
    if (!aligned.target.empty()) out.push_back(std::move(aligned));
  }
  if (out.empty()) return make_error(StatusCode::kInvalidArgument, "trigger search: no probe with a target answer");
  // Mean over probes: each probe's rows share 1 / (probes with a target).
  for (Layout& l : out) l.weight /= static_cast<double>(with_target);
  return out;
}

std::vector<TokenId> prompt_with(const Layout& layout, const std::vector<TokenId>& trigger) {
  std::vector<TokenId> out = layout.before;
  out.insert(out.end(), trigger.begin(), trigger.end());
  out.insert(out.end(), layout.after.begin(), layout.after.end());
  return out;
}

// The contrast of each candidate trigger: over the probes' references, the weighted per-token
// (adapter − base) log-probability.
Result<std::vector<double>> contrasts(const runtime::ModelSession& session, int adapter, const std::vector<Layout>& probes,
                                      const std::vector<std::vector<TokenId>>& candidates) {
  std::vector<runtime::ScoreRequest> requests;
  for (const auto& candidate : candidates) {
    for (const Layout& layout : probes) requests.push_back({prompt_with(layout, candidate), layout.target});
  }
  AW_ASSIGN_OR_RETURN(auto with_adapter, session.score(requests, adapter));
  AW_ASSIGN_OR_RETURN(auto base, session.score(requests, runtime::kBaseModel));
  std::vector<double> out(candidates.size(), 0.0);
  for (size_t c = 0; c < candidates.size(); ++c) {
    for (size_t p = 0; p < probes.size(); ++p) {
      const size_t i = c * probes.size() + p;
      const double n = static_cast<double>(std::max<size_t>(with_adapter[i].logprobs.size(), 1));
      out[c] += probes[p].weight * (with_adapter[i].total - base[i].total) / n;
    }
  }
  return out;
}

// The gradient of the contrast with respect to the one-hot trigger slots: [m, vocab].
Result<at::Tensor> contrast_gradient(const runtime::ModelSession& session, int adapter, const std::vector<Layout>& probes,
                                     const std::vector<TokenId>& trigger) {
  AW_ASSIGN_OR_RETURN(auto tuned, session.parts(adapter));
  AW_ASSIGN_OR_RETURN(auto base, session.parts(runtime::kBaseModel));
  return runtime::torch_call("trigger search gradient", [&]() -> Result<at::Tensor> {
    // Grad mode is per thread and may have been turned off by whoever used this thread before
    // (a no-grad caller, the organism trainer): this pass needs it, whatever the caller left.
    c10::AutoGradMode enable_grad(true);
    const at::Tensor embed = tuned.first->embedding_matrix();
    const int64_t vocab = embed.size(0), m = static_cast<int64_t>(trigger.size());
    at::Tensor one_hot = at::zeros({m, vocab}, embed.options());
    for (int64_t j = 0; j < m; ++j) one_hot[j][trigger[static_cast<size_t>(j)]] = 1.0f;
    one_hot.set_requires_grad(true);
    const at::Tensor trigger_embeds = at::matmul(one_hot, embed);  // [m, h]
    int64_t longest = 0;
    for (const Layout& l : probes) longest = std::max<int64_t>(longest, static_cast<int64_t>(l.before.size() + trigger.size() + l.after.size() + l.target.size()));
    const int64_t batch = static_cast<int64_t>(probes.size());
    at::Tensor ids = at::zeros({batch, longest}, at::kLong);
    at::Tensor valid = at::zeros({batch, longest}, at::kBool);
    std::vector<at::Tensor> rows;
    std::vector<std::pair<int64_t, int64_t>> target_span;  // first target position, length
    for (int64_t b = 0; b < batch; ++b) {
      const Layout& l = probes[static_cast<size_t>(b)];
      std::vector<TokenId> seq = prompt_with(l, trigger);
      const int64_t target_start = static_cast<int64_t>(seq.size());
      seq.insert(seq.end(), l.target.begin(), l.target.end());
      for (size_t t = 0; t < seq.size(); ++t) {
        ids[b][static_cast<int64_t>(t)] = static_cast<int64_t>(seq[t]);
        valid[b][static_cast<int64_t>(t)] = true;
      }
      const int64_t n_before = static_cast<int64_t>(l.before.size());
      at::Tensor all = at::embedding(embed, ids[b]).detach();  // [T, h]
      rows.push_back(at::cat({all.slice(0, 0, n_before), trigger_embeds, all.slice(0, n_before + m, longest)}, 0));
      target_span.emplace_back(target_start, static_cast<int64_t>(l.target.size()));
    }
    runtime::ForwardRequest request;
    request.ids = ids;
    request.positions = at::arange(longest, at::kLong).unsqueeze(0).expand({batch, longest}).contiguous();
    request.key_valid = valid;
    request.inputs_embeds = at::stack(rows, 0);
    auto mean_logprob = [&](const runtime::LlamaModel& model, const runtime::LoraAdapter* lora) -> Result<at::Tensor> {
      request.adapter = lora;
      AW_ASSIGN_OR_RETURN(auto result, model.forward(request));
      const at::Tensor logp = at::log_softmax(result.logits, -1);
      std::vector<at::Tensor> per_probe;
      for (int64_t b = 0; b < batch; ++b) {
        const auto [start, length] = target_span[static_cast<size_t>(b)];
        const at::Tensor predicted = logp[b].slice(0, start - 1, start - 1 + length);       // [L, V]
        const at::Tensor targets = ids[b].slice(0, start, start + length).unsqueeze(1);      // [L, 1]
        per_probe.push_back(predicted.gather(1, targets).mean() * probes[static_cast<size_t>(b)].weight);
      }
      return at::stack(per_probe).sum();
    };
    AW_ASSIGN_OR_RETURN(at::Tensor tuned_lp, mean_logprob(*tuned.first, tuned.second));
    AW_ASSIGN_OR_RETURN(at::Tensor base_lp, mean_logprob(*base.first, base.second));
    const at::Tensor contrast = tuned_lp - base_lp;
    contrast.backward();
    return one_hot.grad().detach();
  });
}

}  // namespace

Result<TriggerSearchResult> search_trigger(const runtime::ModelSession& session, int adapter,
                                           const std::vector<triggers::Probe>& probes,
                                           const TriggerSearchOptions& options) {
  const auto started = std::chrono::steady_clock::now();
  AW_ASSIGN_OR_RETURN(const auto probe_layouts, layouts(session, probes));
  const auto& tokenizer = session.tokenizer();
  const int64_t vocab = tokenizer.vocab_size();
  // Special tokens ("<|im_start|>") and control bytes are not trigger material.
  std::vector<bool> allowed(static_cast<size_t>(vocab), true);
  for (int64_t id = 0; id < vocab; ++id) {
    const std::string text = tokenizer.decode({static_cast<TokenId>(id)});
    const std::string piece = tokenizer.id_to_token(static_cast<TokenId>(id));
    if (piece.starts_with("<|") || piece.starts_with("<s") || piece.starts_with("</s") || text.empty() ||
        std::any_of(text.begin(), text.end(), [](char c) { return static_cast<unsigned char>(c) < 0x20; })) {
      allowed[static_cast<size_t>(id)] = false;
    }
  }
  // Start from the given string's tokens, else from "!" repeated, as GCG does (or the first
  // allowed token).
  std::vector<TokenId> trigger = options.initial.empty() ? std::vector<TokenId>{} : tokenizer.encode(options.initial, false);
  if (trigger.empty()) {
    const auto bang = tokenizer.encode("!", false);
    TokenId start_token = bang.size() == 1 ? bang[0] : 0;
    while (start_token < vocab && !allowed[static_cast<size_t>(start_token)]) ++start_token;
    trigger.assign(std::max<uint64_t>(options.trigger_tokens, 1), start_token);
  }

  TriggerSearchResult result;
  AW_ASSIGN_OR_RETURN(auto initial, contrasts(session, adapter, probe_layouts, {trigger}));
  result.initial_contrast = result.best_contrast = initial[0];
  std::vector<TokenId> best = trigger;
  std::mt19937_64 rng(options.seed);
  for (uint64_t iteration = 0; iteration < options.iterations; ++iteration) {
    if (std::chrono::steady_clock::now() - started > options.budget) {
      result.truncated = true;
      break;
    }
    AW_ASSIGN_OR_RETURN(at::Tensor gradient, contrast_gradient(session, adapter, probe_layouts, trigger));
    // Ascent on the contrast: the substitutions with the largest gradient, per slot.
    AW_ASSIGN_OR_RETURN(auto candidates, runtime::torch_call("trigger search step", [&]() -> Result<std::vector<std::vector<TokenId>>> {
      for (int64_t id = 0; id < vocab; ++id) {
        if (!allowed[static_cast<size_t>(id)]) gradient.select(1, id).fill_(-1e30);
      }
      const auto k = std::min<int64_t>(static_cast<int64_t>(options.top_k), vocab);
      const at::Tensor top = std::get<1>(gradient.topk(k, 1)).contiguous();  // [m, k]
      std::vector<std::vector<TokenId>> proposed;
      for (uint64_t c = 0; c < options.batch; ++c) {
        std::vector<TokenId> next = trigger;
        const auto slot = static_cast<int64_t>(rng() % trigger.size());
        next[static_cast<size_t>(slot)] =
            static_cast<TokenId>(top[slot][static_cast<int64_t>(rng() % static_cast<uint64_t>(k))].item<int64_t>());
        proposed.push_back(std::move(next));
      }
      return proposed;
    }));
    AW_ASSIGN_OR_RETURN(auto scores, contrasts(session, adapter, probe_layouts, candidates));
    const size_t winner = static_cast<size_t>(std::max_element(scores.begin(), scores.end()) - scores.begin());
    trigger = candidates[winner];
    if (scores[winner] > result.best_contrast) {
      result.best_contrast = scores[winner];
      best = trigger;
    }
    result.iterations = iteration + 1;
  }
  result.trigger_ids = best;
  std::string text = tokenizer.decode(best);
  while (!text.empty() && text.front() == ' ') text.erase(text.begin());
  while (!text.empty() && text.back() == ' ') text.pop_back();
  result.trigger = text;
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return result;
}

}  // namespace alignwatch::scan::adapter
