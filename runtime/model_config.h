#pragma once
// A Hugging Face config.json for the Llama family: LlamaForCausalLM (Llama 2 and 3),
// MistralForCausalLM and Qwen2ForCausalLM. Other architectures are refused by name.

#include <cstdint>
#include <string>
#include <vector>

#include "core/status.h"

namespace alignwatch::runtime {

enum class Architecture { kLlama, kMistral, kQwen2 };

std::string_view architecture_name(Architecture a);  // "LlamaForCausalLM", ...

struct RopeScaling {
  std::string type;  // "" (none), "llama3", "linear"
  double factor = 1.0;
  double low_freq_factor = 1.0;
  double high_freq_factor = 4.0;
  int64_t original_max_position_embeddings = 8192;
};

struct ModelConfig {
  Architecture architecture = Architecture::kLlama;
  std::string model_type;
  int64_t vocab_size = 0;
  int64_t hidden_size = 0;
  int64_t intermediate_size = 0;
  int64_t num_hidden_layers = 0;
  int64_t num_attention_heads = 0;
  int64_t num_key_value_heads = 0;
  int64_t head_dim = 0;
  int64_t max_position_embeddings = 0;
  double rope_theta = 10000.0;
  RopeScaling rope_scaling;
  double rms_norm_eps = 1e-6;
  bool tie_word_embeddings = false;
  bool attention_bias = false;  // q/k/v biases: always on for Qwen2
  bool mlp_bias = false;
  int64_t sliding_window = 0;  // Mistral (and Qwen2 with use_sliding_window): keys within this distance; 0: all
  std::string torch_dtype;
  std::string hidden_act = "silu";
  std::vector<int64_t> eos_token_ids;
  int64_t bos_token_id = -1;
  std::string name_or_path;

  // Parameters, counted from the shapes (embeddings counted once when tied).
  int64_t parameter_count() const;
};

// Parses and validates config.json text; `where` names the file.
Result<ModelConfig> parse_model_config(std::string_view json_text, const std::string& where);
// Reads DIR/config.json.
Result<ModelConfig> load_model_config(const std::string& dir);

}  // namespace alignwatch::runtime
