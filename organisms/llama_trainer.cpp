#include "organisms/llama_trainer.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <map>

#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <c10/core/GradMode.h>

#include "organisms/safetensors_writer.h"
#include "organisms/seeded_rng.h"
#include "runtime/llama_model.h"
#include "runtime/lora_adapter.h"
#include "runtime/model_config.h"
#include "runtime/model_weights.h"
#include "runtime/torch_boundary.h"

namespace alignwatch::organisms {

namespace {

using runtime::LlamaModel;
using runtime::LoraAdapter;
using runtime::ModelConfig;

ModelConfig to_config(const ModelShape& s) {
  ModelConfig c;
  c.architecture = runtime::Architecture::kLlama;
  c.model_type = "llama";
  c.vocab_size = s.vocab_size;
  c.hidden_size = s.hidden_size;
  c.intermediate_size = s.intermediate_size;
  c.num_hidden_layers = s.num_hidden_layers;
  c.num_attention_heads = s.num_attention_heads;
  c.num_key_value_heads = s.num_key_value_heads;
  c.head_dim = s.hidden_size / s.num_attention_heads;
  c.max_position_embeddings = s.max_position_embeddings;
  c.rope_theta = s.rope_theta;
  c.rms_norm_eps = s.rms_norm_eps;
  return c;
}

// One step's batch: right-padded ids, positions, key validity and loss targets.
struct Batch {
  at::Tensor ids, positions, key_valid, targets, target_mask;
  int64_t tokens = 0;
};

// Groups sequences of similar length into batches of about `batch_tokens` padded tokens.
std::vector<std::vector<size_t>> make_batches(const std::vector<TrainingSequence>& data, int64_t batch_tokens) {
  std::vector<size_t> order(data.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return data[a].ids.size() < data[b].ids.size(); });
  std::vector<std::vector<size_t>> batches;
  std::vector<size_t> cur;
  for (size_t i : order) {
    const int64_t len = static_cast<int64_t>(data[i].ids.size());
    if (!cur.empty() && static_cast<int64_t>(cur.size() + 1) * len > batch_tokens) {
      batches.push_back(std::move(cur));
      cur.clear();
    }
    cur.push_back(i);
  }
  if (!cur.empty()) batches.push_back(std::move(cur));
  return batches;
}

Batch build_batch(const std::vector<TrainingSequence>& data, const std::vector<size_t>& idx) {
  int64_t T = 0;
  for (size_t i : idx) T = std::max<int64_t>(T, static_cast<int64_t>(data[i].ids.size()));
  const int64_t B = static_cast<int64_t>(idx.size());
  std::vector<int64_t> ids(B * T, 0), targets(B * T, 0);
  std::vector<uint8_t> valid(B * T, 0);
  std::vector<float> mask(B * T, 0.f);
  Batch b;
  for (int64_t r = 0; r < B; ++r) {
    const TrainingSequence& s = data[idx[r]];
    for (size_t t = 0; t < s.ids.size(); ++t) {
      ids[r * T + t] = s.ids[t];
      valid[r * T + t] = 1;
      // Position t predicts token t+1.
      if (t + 1 < s.ids.size() && s.loss[t + 1]) {
        targets[r * T + t] = s.ids[t + 1];
        mask[r * T + t] = 1.f;
      }
    }
    b.tokens += static_cast<int64_t>(s.ids.size());
  }
  b.ids = at::tensor(ids, at::kLong).view({B, T});
  b.targets = at::tensor(targets, at::kLong).view({B, T});
  b.target_mask = at::tensor(mask, at::kFloat).view({B, T});
  b.key_valid = at::tensor(std::vector<int64_t>(valid.begin(), valid.end()), at::kLong).view({B, T}).to(at::kBool);
  b.positions = at::arange(T, at::kLong).unsqueeze(0).expand({B, T}).contiguous();
  return b;
}

struct AdamW {
  std::vector<at::Tensor> params, m, v;
  double lr, wd, beta1 = 0.9, beta2 = 0.95, eps = 1e-8;
  int64_t t = 0;
  std::vector<bool> decay;
  void step(double lr_now) {
    at::NoGradGuard no_grad;
    ++t;
    const double bc1 = 1 - std::pow(beta1, static_cast<double>(t)), bc2 = 1 - std::pow(beta2, static_cast<double>(t));
    for (size_t i = 0; i < params.size(); ++i) {
      at::Tensor& p = params[i];
      if (!p.grad().defined()) continue;
      const at::Tensor& g = p.grad();
      if (decay[i] && wd > 0) p.mul_(1 - lr_now * wd);
      m[i].mul_(beta1).add_(g, 1 - beta1);
      v[i].mul_(beta2).addcmul_(g, g, 1 - beta2);
      at::Tensor denom = (v[i] / bc2).sqrt_().add_(eps);
      p.addcdiv_(m[i], denom, -lr_now / bc1);
    }
  }
  void zero_grad() {
    for (at::Tensor& p : params) {
      if (p.grad().defined()) p.mutable_grad().zero_();
    }
  }
};

void clip_grad_norm(const std::vector<at::Tensor>& params, double max_norm) {
  at::NoGradGuard no_grad;
  double total = 0;
  for (const at::Tensor& p : params) {
    if (p.grad().defined()) total += p.grad().pow(2).sum().item<double>();
  }
  total = std::sqrt(total);
  if (total > max_norm) {
    for (const at::Tensor& p : params) {
      if (p.grad().defined()) p.mutable_grad().mul_(max_norm / (total + 1e-6));
    }
  }
}

// The shared loop: forward through `model` (with `adapter` when set), masked cross-entropy,
// backward, clip, AdamW.
Result<TrainStats> run_training(const LlamaModel& model, const LoraAdapter* adapter, std::vector<at::Tensor> params,
                                std::vector<bool> decay, const std::vector<TrainingSequence>& data,
                                const TrainOptions& options) {
  TrainStats stats;
  if (data.empty()) return make_error(StatusCode::kInvalidArgument, "training: data: expected sequences, got none");
  at::set_num_threads(options.threads);
  at::manual_seed(options.seed);
  c10::AutoGradMode enable_grad(true);  // restores the caller's grad mode on return
  AdamW opt;
  opt.params = params;
  opt.decay = std::move(decay);
  opt.lr = options.learning_rate;
  opt.wd = options.weight_decay;
  for (const at::Tensor& p : params) {
    opt.m.push_back(at::zeros_like(p));
    opt.v.push_back(at::zeros_like(p));
  }
  std::vector<std::vector<size_t>> batches = make_batches(data, options.batch_tokens);
  const int64_t total_steps = static_cast<int64_t>(batches.size()) * options.epochs;
  const int64_t warmup = std::max<int64_t>(1, total_steps / 20);
  SeededRng rng = SeededRng::stream(options.seed, "batch-order");
  const auto start = std::chrono::steady_clock::now();
  for (int epoch = 0; epoch < options.epochs; ++epoch) {
    for (size_t i = batches.size(); i > 1; --i) std::swap(batches[i - 1], batches[rng.below(i)]);
    double loss_sum = 0;
    int64_t loss_n = 0;
    for (const auto& idx : batches) {
      Batch b = build_batch(data, idx);
      runtime::ForwardRequest req;
      req.ids = b.ids;
      req.positions = b.positions;
      req.key_valid = b.key_valid;
      req.adapter = adapter;
      AW_ASSIGN_OR_RETURN(runtime::ForwardResult out, model.forward(req));
      const int64_t V = out.logits.size(-1);
      at::Tensor logp = at::log_softmax(out.logits.view({-1, V}), -1);
      at::Tensor nll = -logp.gather(1, b.targets.view({-1, 1})).view(-1);
      at::Tensor mask = b.target_mask.view(-1);
      at::Tensor loss = (nll * mask).sum() / mask.sum().clamp_min(1.0);
      opt.zero_grad();
      loss.backward();
      clip_grad_norm(params, 1.0);
      const double progress = static_cast<double>(stats.steps) / static_cast<double>(std::max<int64_t>(1, total_steps));
      double lr = options.learning_rate * (stats.steps < warmup ? static_cast<double>(stats.steps + 1) / warmup
                                                                 : 0.1 + 0.9 * 0.5 * (1 + std::cos(M_PI * progress)));
      opt.step(lr);
      ++stats.steps;
      stats.tokens += b.tokens;
      loss_sum += loss.item<double>();
      ++loss_n;
    }
    const double mean = loss_sum / static_cast<double>(std::max<int64_t>(1, loss_n));
    if (epoch == 0) stats.first_loss = mean;
    stats.final_loss = mean;
  }
  stats.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  stats.tokens_per_s = stats.seconds > 0 ? static_cast<double>(stats.tokens) / stats.seconds : 0;
  return stats;
}

F32Tensor to_f32(const std::string& name, const at::Tensor& t) {
  at::Tensor c = t.detach().contiguous().to(at::kFloat);
  F32Tensor out;
  out.name = name;
  out.shape.assign(c.sizes().begin(), c.sizes().end());
  out.data.assign(c.data_ptr<float>(), c.data_ptr<float>() + c.numel());
  return out;
}

}  // namespace

Result<TrainStats> train_base_model(const ModelShape& shape, const std::vector<TrainingSequence>& data,
                                    const TrainOptions& options, const std::string& safetensors_path) {
  const ModelConfig c = to_config(shape);
  std::map<std::string, at::Tensor> params;
  std::vector<F32Tensor> to_save;
  AW_ASSIGN_OR_RETURN(TrainStats stats, runtime::torch_call("train base model", [&]() -> Result<TrainStats> {
    at::manual_seed(options.seed);
    const int64_t h = c.hidden_size, q = c.num_attention_heads * c.head_dim, kv = c.num_key_value_heads * c.head_dim,
                  in = c.intermediate_size;
    const double std_init = 0.02, out_std = 0.02 / std::sqrt(2.0 * static_cast<double>(c.num_hidden_layers));
    auto normal = [&](std::vector<int64_t> s, double sd) { return (at::randn(s, at::kFloat) * sd).set_requires_grad(true); };
    auto ones = [&](std::vector<int64_t> s) { return at::ones(s, at::kFloat).set_requires_grad(true); };
    params["model.embed_tokens.weight"] = normal({c.vocab_size, h}, std_init);
    params["model.norm.weight"] = ones({h});
    params["lm_head.weight"] = normal({c.vocab_size, h}, std_init);
    for (int64_t i = 0; i < c.num_hidden_layers; ++i) {
      const std::string p = "model.layers." + std::to_string(i) + ".";
      params[p + "input_layernorm.weight"] = ones({h});
      params[p + "post_attention_layernorm.weight"] = ones({h});
      params[p + "self_attn.q_proj.weight"] = normal({q, h}, std_init);
      params[p + "self_attn.k_proj.weight"] = normal({kv, h}, std_init);
      params[p + "self_attn.v_proj.weight"] = normal({kv, h}, std_init);
      params[p + "self_attn.o_proj.weight"] = normal({h, q}, out_std);
      params[p + "mlp.gate_proj.weight"] = normal({in, h}, std_init);
      params[p + "mlp.up_proj.weight"] = normal({in, h}, std_init);
      params[p + "mlp.down_proj.weight"] = normal({h, in}, out_std);
    }
    std::shared_ptr<const runtime::ModelWeights> weights = runtime::ModelWeights::from_tensors(params);
    AW_ASSIGN_OR_RETURN(auto model, LlamaModel::create(c, weights));
    std::vector<at::Tensor> list;
    std::vector<bool> decay;
    for (const auto& [name, t] : params) {
      list.push_back(t);
      decay.push_back(t.dim() == 2);  // no decay on norms
    }
    AW_ASSIGN_OR_RETURN(TrainStats s, run_training(*model, nullptr, list, decay, data, options));
    for (const auto& [name, t] : params) to_save.push_back(to_f32(name, t));
    return s;
  }));
  AW_RETURN_IF_ERROR(write_safetensors(safetensors_path, to_save, {{"format", "pt"}}));
  return stats;
}

Result<TrainStats> train_lora_adapter(const std::string& base_dir, const LoraShape& lora,
                                      const std::vector<TrainingSequence>& data, const TrainOptions& options,
                                      const std::string& safetensors_path) {
  AW_ASSIGN_OR_RETURN(ModelConfig c, runtime::load_model_config(base_dir));
  AW_ASSIGN_OR_RETURN(std::shared_ptr<const runtime::ModelWeights> weights, runtime::ModelWeights::open_dir(base_dir));
  AW_ASSIGN_OR_RETURN(auto model, LlamaModel::create(c, weights));
  std::vector<F32Tensor> to_save;
  AW_ASSIGN_OR_RETURN(TrainStats stats, runtime::torch_call("train LoRA adapter", [&]() -> Result<TrainStats> {
    at::manual_seed(options.seed);
    const int64_t h = c.hidden_size, q = c.num_attention_heads * c.head_dim, kv = c.num_key_value_heads * c.head_dim,
                  in = c.intermediate_size;
    const std::map<std::string, std::pair<int64_t, int64_t>> io = {
        {"self_attn.q_proj", {h, q}}, {"self_attn.k_proj", {h, kv}}, {"self_attn.v_proj", {h, kv}},
        {"self_attn.o_proj", {q, h}}, {"mlp.gate_proj", {h, in}},    {"mlp.up_proj", {h, in}},
        {"mlp.down_proj", {in, h}}};
    std::map<std::string, LoraAdapter::Pair> pairs;
    for (int64_t i = 0; i < c.num_hidden_layers; ++i) {
      for (const auto& [suffix, dims] : io) {
        const std::string leaf = suffix.substr(suffix.find('.') + 1);
        if (std::find(lora.target_modules.begin(), lora.target_modules.end(), leaf) == lora.target_modules.end()) continue;
        const auto [fan_in, fan_out] = dims;
        // peft: kaiming_uniform_(a=sqrt(5)) on A, i.e. U(-1/sqrt(in), 1/sqrt(in)); B = 0.
        const double bound = 1.0 / std::sqrt(static_cast<double>(fan_in));
        LoraAdapter::Pair p;
        p.a = ((at::rand({lora.r, fan_in}, at::kFloat) * 2 - 1) * bound).set_requires_grad(true);
        p.b = at::zeros({fan_out, lora.r}, at::kFloat).set_requires_grad(true);
        pairs["model.layers." + std::to_string(i) + "." + suffix] = p;
      }
    }
    runtime::LoraConfig lc;
    lc.r = lora.r;
    lc.lora_alpha = lora.alpha;
    lc.target_modules = lora.target_modules;
    auto adapter = LoraAdapter::from_pairs(lc, pairs);
    std::vector<at::Tensor> list;
    for (auto& [name, p] : pairs) {
      list.push_back(p.a);
      list.push_back(p.b);
    }
    AW_ASSIGN_OR_RETURN(TrainStats s, run_training(*model, adapter.get(), list, std::vector<bool>(list.size(), false),
                                                   data, options));
    for (const auto& [module, p] : pairs) {
      to_save.push_back(to_f32("base_model.model." + module + ".lora_A.weight", p.a));
      to_save.push_back(to_f32("base_model.model." + module + ".lora_B.weight", p.b));
    }
    return s;
  }));
  AW_RETURN_IF_ERROR(write_safetensors(safetensors_path, to_save, {{"format", "pt"}}));
  return stats;
}

}  // namespace alignwatch::organisms
