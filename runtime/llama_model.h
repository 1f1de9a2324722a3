#pragma once
// The Llama-family forward pass in libtorch (ATen, float32 on the CPU): embeddings, per layer
// RMSNorm -> attention (q/k/v with optional biases, RoPE with its theta and Llama 3 / linear
// scaling, grouped-query attention without repeating k/v) -> residual -> RMSNorm -> SwiGLU MLP
// -> residual, final RMSNorm and the (tied or untied) head. LoRA adapters are applied unmerged
// per call. Callers hold c10::InferenceMode; the model is immutable and may serve several
// threads at once.

#include <memory>
#include <string>
#include <vector>

#include <ATen/ATen.h>

#include "core/status.h"
#include "runtime/lora_adapter.h"
#include "runtime/model_config.h"
#include "runtime/model_weights.h"

namespace alignwatch::runtime {

// Keys and values per layer, [B, kv_heads, S, head_dim], grown by each forward call.
struct KvCache {
  std::vector<at::Tensor> k;
  std::vector<at::Tensor> v;
  int64_t length() const { return k.empty() || !k[0].defined() ? 0 : k[0].size(2); }
};

struct ForwardRequest {
  at::Tensor ids;        // [B, T] int64
  at::Tensor positions;  // [B, T] int64 (RoPE positions; left padding shifts them)
  at::Tensor key_valid;  // [B, cache length + T] bool: false for padding
  KvCache* cache = nullptr;              // appended to when set
  const LoraAdapter* adapter = nullptr;  // unmerged LoRA, or none for the base
  bool last_only = false;                // logits for the last position only
  std::vector<int64_t> hidden_layers;    // hidden states to return: 0 = embeddings, L = after layer L
};

struct ForwardResult {
  at::Tensor logits;                  // [B, T, V] (or [B, 1, V] with last_only)
  std::vector<at::Tensor> hidden;     // one [B, T, hidden] per requested layer
};

class LlamaModel {
 public:
  // Checks every expected tensor's shape against the config ("tensor 'x': expected [a, b], got
  // [c, d]") before taking it.
  // F32 weights stay views of the mapped files, so the model keeps `weights` alive.
  static Result<std::unique_ptr<LlamaModel>> create(const ModelConfig& config,
                                                    std::shared_ptr<const ModelWeights> weights);

  const ModelConfig& config() const { return config_; }
  Result<ForwardResult> forward(const ForwardRequest& request) const;
  // A new model with `adapter` folded into the weights (W + scaling * B A); shares the rest.
  Result<std::unique_ptr<LlamaModel>> merged(const LoraAdapter& adapter) const;

 private:
  struct Layer {
    std::string prefix;  // "model.layers.3."
    at::Tensor input_norm, post_norm, q, k, v, o, q_bias, k_bias, v_bias, gate, up, down;
  };
  LlamaModel() = default;
  at::Tensor linear(const at::Tensor& x, const at::Tensor& w, const at::Tensor& b,
                    const LoraAdapter* adapter, const std::string& module) const;
  at::Tensor rms_norm(const at::Tensor& x, const at::Tensor& w) const;

  ModelConfig config_;
  std::shared_ptr<const ModelWeights> weights_;
  at::Tensor embed_, norm_, lm_head_;
  at::Tensor inv_freq_;  // [head_dim / 2]
  double position_scale_ = 1.0;
  std::vector<Layer> layers_;
};

}  // namespace alignwatch::runtime
