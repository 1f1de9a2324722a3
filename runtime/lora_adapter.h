#pragma once
// A PEFT LoRA adapter (adapter_config.json + adapter_model.safetensors), validated against the
// base model before use: every tensor must be an A or B of a linear layer the base has and the
// config targets, A and B must come in pairs, shapes must be A [r, in] and B [out, r] for the
// base's in/out sizes, and the config's base model must be the loaded one. Applied unmerged
// (LlamaModel adds B(A(x)) * scaling), so one base serves several adapters; merge() on the
// model folds one in.

#include <map>
#include <memory>
#include <string>

#include <ATen/ATen.h>

#include "core/status.h"
#include "runtime/lora_config.h"
#include "runtime/model_config.h"

namespace alignwatch::runtime {

struct LoraLoadOptions {
  // Accept an adapter whose base_model_name_or_path names another model (shapes still checked).
  bool ignore_base_name = false;
};

class LoraAdapter {
 public:
  struct Pair {
    at::Tensor a;  // [r, in]
    at::Tensor b;  // [out, r]
  };

  // `base_name` is the loaded base's name (config _name_or_path, or its directory name).
  static Result<std::unique_ptr<LoraAdapter>> load(const std::string& dir, const ModelConfig& base,
                                                   const std::string& base_name,
                                                   const LoraLoadOptions& options = {});

  // An adapter from in-memory pairs keyed by base module ("model.layers.0.self_attn.q_proj"),
  // for training: forward passes use these tensors themselves, so gradients reach them. The
  // caller keeps the shapes right (A [r, in], B [out, r]).
  static std::unique_ptr<LoraAdapter> from_pairs(const LoraConfig& config, std::map<std::string, Pair> pairs);

  const LoraConfig& config() const { return config_; }
  const std::string& dir() const { return dir_; }
  double scaling() const { return scaling_; }
  // The A/B pair for a base module ("model.layers.0.self_attn.q_proj"), or nullptr.
  const Pair* pair(const std::string& module) const;
  // A full replacement weight from modules_to_save ("lm_head.weight"), or nullptr.
  const at::Tensor* replacement(const std::string& tensor_name) const;
  size_t pair_count() const { return pairs_.size(); }
  // Every A/B pair by base module name (the weight screen walks them all).
  const std::map<std::string, Pair>& pairs() const { return pairs_; }

 private:
  LoraConfig config_;
  std::string dir_;
  double scaling_ = 1.0;
  std::map<std::string, Pair> pairs_;
  std::map<std::string, at::Tensor> replacements_;
};

}  // namespace alignwatch::runtime
