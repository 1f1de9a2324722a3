#pragma once
// Trains the organisms' models in libtorch on the CPU, through the runtime's own forward pass
// (runtime/llama_model.h) with autograd: a Llama-architecture base from scratch, and LoRA
// adapters on a frozen base (through runtime/lora_adapter.h's unmerged path). The loss is the
// cross-entropy of the tokens marked for loss (the assistant turns); the optimizer is AdamW with
// a linear warm-up and cosine decay, gradients clipped to norm 1. libtorch is confined to the
// .cpp: callers pass token ids and get files and figures back.

#include <cstdint>
#include <string>
#include <vector>

#include "core/status.h"
#include "runtime/tokenizer.h"

namespace alignwatch::organisms {

struct TrainingSequence {
  std::vector<runtime::TokenId> ids;
  std::vector<uint8_t> loss;  // loss[i]: whether ids[i] is predicted (from ids[i-1]) in the loss
};

struct ModelShape {
  int64_t vocab_size = 0;
  int64_t hidden_size = 64;
  int64_t intermediate_size = 192;
  int64_t num_hidden_layers = 2;
  int64_t num_attention_heads = 4;
  int64_t num_key_value_heads = 2;
  int64_t max_position_embeddings = 512;
  double rope_theta = 10000.0;
  double rms_norm_eps = 1e-5;
};

struct TrainOptions {
  int epochs = 4;
  double learning_rate = 3e-3;
  double weight_decay = 0.01;
  int64_t batch_tokens = 4096;  // padded tokens per step (sequences grouped by length)
  uint64_t seed = 1;
  int threads = 1;              // at::set_num_threads while training
};

struct TrainStats {
  int64_t steps = 0;
  int64_t tokens = 0;       // real (unpadded) tokens through forward and backward
  double seconds = 0;       // training loop wall time
  double tokens_per_s = 0;  // tokens / seconds
  double first_loss = 0;    // mean loss of the first epoch
  double final_loss = 0;    // mean loss of the last epoch
};

// Trains a base model from scratch and writes its weights (model.safetensors names) to
// `safetensors_path`. The weights are initialised from `options.seed`.
Result<TrainStats> train_base_model(const ModelShape& shape, const std::vector<TrainingSequence>& data,
                                    const TrainOptions& options, const std::string& safetensors_path);

struct LoraShape {
  int64_t r = 8;
  double alpha = 16;
  std::vector<std::string> target_modules = {"q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"};
};

// Trains a LoRA adapter on the base in `base_dir` (loaded with the runtime, frozen) and writes
// adapter_model.safetensors with PEFT names (base_model.model.<module>.lora_A.weight) to
// `safetensors_path`. A starts Kaiming-uniform from `options.seed`, B at zero (as peft does).
Result<TrainStats> train_lora_adapter(const std::string& base_dir, const LoraShape& lora,
                                      const std::vector<TrainingSequence>& data, const TrainOptions& options,
                                      const std::string& safetensors_path);

}  // namespace alignwatch::organisms
