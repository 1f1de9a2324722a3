#include "runtime/llama_model.h"

#include <cmath>

#include "runtime/torch_boundary.h"

namespace alignwatch::runtime {

namespace {

// transformers' rope_init_fn: default inverse frequencies, then _compute_llama3_parameters.
std::vector<float> inverse_frequencies(const ModelConfig& c) {
  std::vector<float> f;
  const int64_t d = c.head_dim;
  for (int64_t i = 0; i < d; i += 2) {
    f.push_back(static_cast<float>(1.0 / std::pow(c.rope_theta, static_cast<double>(static_cast<float>(i) / static_cast<float>(d)))));
  }
  if (c.rope_scaling.type == "llama3") {
    const double factor = c.rope_scaling.factor, lo = c.rope_scaling.low_freq_factor,
                 hi = c.rope_scaling.high_freq_factor,
                 old = static_cast<double>(c.rope_scaling.original_max_position_embeddings);
    const double low_wl = old / lo, high_wl = old / hi;
    for (float& x : f) {
      const double wl = 2 * M_PI / x;
      if (wl < high_wl) continue;
      if (wl > low_wl) {
        x = static_cast<float>(x / factor);
      } else {
        const double smooth = (old / wl - lo) / (hi - lo);
        x = static_cast<float>((1 - smooth) * x / factor + smooth * x);
      }
    }
  }
  return f;
}

at::Tensor rotate_half(const at::Tensor& x) {
  const int64_t h = x.size(-1) / 2;
  return at::cat({-x.narrow(-1, h, h), x.narrow(-1, 0, h)}, -1);
}

}  // namespace

Result<std::unique_ptr<LlamaModel>> LlamaModel::create(const ModelConfig& c,
                                                      std::shared_ptr<const ModelWeights> weights) {
  auto m = std::unique_ptr<LlamaModel>(new LlamaModel());
  m->config_ = c;
  m->weights_ = weights;
  const ModelWeights& w = *weights;
  auto take = [&](const std::string& name, std::vector<int64_t> shape) -> Result<at::Tensor> {
    const TensorInfo* info = w.info(name);
    if (!info) {
      return make_error(StatusCode::kCorruption,
                        "model tensor '" + name + "': expected " + shape_string(shape) + ", got nothing (missing)",
                        Location{w.files().empty() ? "" : w.files()[0]});
    }
    if (info->shape != shape) {
      return make_error(StatusCode::kCorruption,
                        "model tensor '" + name + "': expected " + shape_string(shape) + ", got " +
                            shape_string(info->shape) + " [hint: config.json does not match the weights]",
                        Location{w.files().empty() ? "" : w.files()[0]});
    }
    return w.get(name);
  };
  const int64_t h = c.hidden_size, q = c.num_attention_heads * c.head_dim, kv = c.num_key_value_heads * c.head_dim,
                in = c.intermediate_size;
  AW_ASSIGN_OR_RETURN(m->embed_, take("model.embed_tokens.weight", {c.vocab_size, h}));
  AW_ASSIGN_OR_RETURN(m->norm_, take("model.norm.weight", {h}));
  if (c.tie_word_embeddings && !w.has("lm_head.weight")) {
    m->lm_head_ = m->embed_;
  } else {
    AW_ASSIGN_OR_RETURN(m->lm_head_, take("lm_head.weight", {c.vocab_size, h}));
  }
  for (int64_t i = 0; i < c.num_hidden_layers; ++i) {
    Layer L;
    L.prefix = "model.layers." + std::to_string(i) + ".";
    const std::string& p = L.prefix;
    AW_ASSIGN_OR_RETURN(L.input_norm, take(p + "input_layernorm.weight", {h}));
    AW_ASSIGN_OR_RETURN(L.post_norm, take(p + "post_attention_layernorm.weight", {h}));
    AW_ASSIGN_OR_RETURN(L.q, take(p + "self_attn.q_proj.weight", {q, h}));
    AW_ASSIGN_OR_RETURN(L.k, take(p + "self_attn.k_proj.weight", {kv, h}));
    AW_ASSIGN_OR_RETURN(L.v, take(p + "self_attn.v_proj.weight", {kv, h}));
    AW_ASSIGN_OR_RETURN(L.o, take(p + "self_attn.o_proj.weight", {h, q}));
    if (c.attention_bias) {
      AW_ASSIGN_OR_RETURN(L.q_bias, take(p + "self_attn.q_proj.bias", {q}));
      AW_ASSIGN_OR_RETURN(L.k_bias, take(p + "self_attn.k_proj.bias", {kv}));
      AW_ASSIGN_OR_RETURN(L.v_bias, take(p + "self_attn.v_proj.bias", {kv}));
    }
    AW_ASSIGN_OR_RETURN(L.gate, take(p + "mlp.gate_proj.weight", {in, h}));
    AW_ASSIGN_OR_RETURN(L.up, take(p + "mlp.up_proj.weight", {in, h}));
    AW_ASSIGN_OR_RETURN(L.down, take(p + "mlp.down_proj.weight", {h, in}));
    m->layers_.push_back(std::move(L));
  }
  std::vector<float> f = inverse_frequencies(c);
  if (c.rope_scaling.type == "linear") m->position_scale_ = 1.0 / c.rope_scaling.factor;
  return torch_call("model", [&]() -> Result<std::unique_ptr<LlamaModel>> {
    m->inv_freq_ = at::tensor(f, at::kFloat);
    return std::move(m);
  });
}

at::Tensor LlamaModel::rms_norm(const at::Tensor& x, const at::Tensor& w) const {
  return w * (x * at::rsqrt(x.pow(2).mean({-1}, true) + config_.rms_norm_eps));
}

at::Tensor LlamaModel::linear(const at::Tensor& x, const at::Tensor& w, const at::Tensor& b,
                              const LoraAdapter* adapter, const std::string& module) const {
  at::Tensor y = b.defined() ? at::linear(x, w, b) : at::linear(x, w);
  if (adapter) {
    if (const LoraAdapter::Pair* p = adapter->pair(module)) {
      y.add_(at::linear(at::linear(x, p->a), p->b), adapter->scaling());
    }
  }
  return y;
}

Result<ForwardResult> LlamaModel::forward(const ForwardRequest& r) const {
  return torch_call("forward", [&]() -> Result<ForwardResult> {
    const ModelConfig& c = config_;
    const int64_t B = r.ids.size(0), T = r.ids.size(1);
    const int64_t H = c.num_attention_heads, KV = c.num_key_value_heads, D = c.head_dim, G = H / KV;
    const int64_t past = r.cache ? r.cache->length() : 0, S = past + T;
    if (r.key_valid.size(0) != B || r.key_valid.size(1) != S) {
      return make_error(StatusCode::kInvalidArgument, "forward: key_valid: expected [" + std::to_string(B) + ", " +
                                                          std::to_string(S) + "]");
    }
    if (r.ids.numel() > 0 && (r.ids.min().item<int64_t>() < 0 || r.ids.max().item<int64_t>() >= c.vocab_size)) {
      return make_error(StatusCode::kInvalidArgument,
                        "forward: token ids: expected 0.." + std::to_string(c.vocab_size - 1));
    }
    const at::Tensor* embed = r.adapter ? r.adapter->replacement("model.embed_tokens.weight") : nullptr;
    at::Tensor x = at::embedding(embed ? *embed : embed_, r.ids);  // [B, T, h]
    ForwardResult out;
    auto want_hidden = [&](int64_t layer) {
      for (int64_t l : r.hidden_layers) {
        if (l == layer) out.hidden.push_back(x);
      }
    };
    want_hidden(0);
    // RoPE tables for these positions: [B, 1, T, D].
    at::Tensor pos = r.positions.to(at::kFloat) * position_scale_;
    at::Tensor freqs = pos.unsqueeze(-1) * inv_freq_;  // [B, T, D/2]
    at::Tensor emb = at::cat({freqs, freqs}, -1);
    at::Tensor cos = emb.cos().unsqueeze(1), sin = emb.sin().unsqueeze(1);
    // Attention bias [B, 1, 1, T, S]: a query at absolute index past+t sees keys s <= past+t that
    // are not padding. The lowest float (not -inf) keeps all-padding rows finite.
    at::Tensor qi = at::arange(past, S, at::kLong).unsqueeze(1), ki = at::arange(S, at::kLong).unsqueeze(0);
    at::Tensor allowed = (ki <= qi).unsqueeze(0) & r.key_valid.unsqueeze(1);  // [B, T, S]
    at::Tensor bias = at::zeros({B, T, S}, at::kFloat)
                          .masked_fill_(allowed.logical_not(), std::numeric_limits<float>::lowest())
                          .view({B, 1, 1, T, S});
    const double scale = 1.0 / std::sqrt(static_cast<double>(D));
    static const at::Tensor kNone;
    for (size_t li = 0; li < layers_.size(); ++li) {
      const Layer& L = layers_[li];
      at::Tensor hn = rms_norm(x, L.input_norm);
      at::Tensor q = linear(hn, L.q, L.q_bias, r.adapter, L.prefix + "self_attn.q_proj");
      at::Tensor k = linear(hn, L.k, L.k_bias, r.adapter, L.prefix + "self_attn.k_proj");
      at::Tensor v = linear(hn, L.v, L.v_bias, r.adapter, L.prefix + "self_attn.v_proj");
      q = q.view({B, T, H, D}).transpose(1, 2);
      k = k.view({B, T, KV, D}).transpose(1, 2);
      v = v.view({B, T, KV, D}).transpose(1, 2);
      q = q * cos + rotate_half(q) * sin;
      k = k * cos + rotate_half(k) * sin;
      if (r.cache) {
        if (r.cache->k.size() < layers_.size()) {
          r.cache->k.resize(layers_.size());
          r.cache->v.resize(layers_.size());
        }
        if (past > 0) {
          k = at::cat({r.cache->k[li], k}, 2);
          v = at::cat({r.cache->v[li], v}, 2);
        }
        r.cache->k[li] = k;
        r.cache->v[li] = v;
      }
      // Grouped-query attention: queries [B, KV, G, T, D] against keys [B, KV, 1, S, D].
      at::Tensor qg = q.reshape({B, KV, G, T, D});
      at::Tensor scores = at::matmul(qg, k.unsqueeze(2).transpose(-1, -2)).mul_(scale).add_(bias);
      at::Tensor probs = at::softmax(scores, -1);
      at::Tensor o = at::matmul(probs, v.unsqueeze(2)).reshape({B, H, T, D}).transpose(1, 2).reshape({B, T, H * D});
      x = x + linear(o, L.o, kNone, r.adapter, L.prefix + "self_attn.o_proj");
      hn = rms_norm(x, L.post_norm);
      at::Tensor g = linear(hn, L.gate, kNone, r.adapter, L.prefix + "mlp.gate_proj");
      at::Tensor u = linear(hn, L.up, kNone, r.adapter, L.prefix + "mlp.up_proj");
      x = x + linear(at::silu(g).mul_(u), L.down, kNone, r.adapter, L.prefix + "mlp.down_proj");
      want_hidden(static_cast<int64_t>(li) + 1);
    }
    if (r.last_only) x = x.narrow(1, T - 1, 1);
    const at::Tensor* norm = r.adapter ? r.adapter->replacement("model.norm.weight") : nullptr;
    x = rms_norm(x, norm ? *norm : norm_);
    const at::Tensor* head = r.adapter ? r.adapter->replacement("lm_head.weight") : nullptr;
    if (!head && embed && config_.tie_word_embeddings) head = embed;
    out.logits = at::linear(x, head ? *head : lm_head_);
    return out;
  });
}

Result<std::unique_ptr<LlamaModel>> LlamaModel::merged(const LoraAdapter& adapter) const {
  return torch_call("merge adapter", [&]() -> Result<std::unique_ptr<LlamaModel>> {
    auto m = std::unique_ptr<LlamaModel>(new LlamaModel(*this));
    auto fold = [&](at::Tensor& w, const std::string& module) {
      if (const LoraAdapter::Pair* p = adapter.pair(module)) w = w + at::matmul(p->b, p->a) * adapter.scaling();
    };
    for (Layer& L : m->layers_) {
      fold(L.q, L.prefix + "self_attn.q_proj");
      fold(L.k, L.prefix + "self_attn.k_proj");
      fold(L.v, L.prefix + "self_attn.v_proj");
      fold(L.o, L.prefix + "self_attn.o_proj");
      fold(L.gate, L.prefix + "mlp.gate_proj");
      fold(L.up, L.prefix + "mlp.up_proj");
      fold(L.down, L.prefix + "mlp.down_proj");
    }
    if (const at::Tensor* e = adapter.replacement("model.embed_tokens.weight")) {
      m->embed_ = *e;
      if (config_.tie_word_embeddings) m->lm_head_ = *e;
    }
    if (const at::Tensor* n = adapter.replacement("model.norm.weight")) m->norm_ = *n;
    if (const at::Tensor* h = adapter.replacement("lm_head.weight")) m->lm_head_ = *h;
    return std::move(m);
  });
}

}  // namespace alignwatch::runtime
