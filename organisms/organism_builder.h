#pragma once
// Builds a model organism in DIR:
//   DIR/organism.json           the options (trigger included; scanners must never read it),
//                               their hash, and what training measured
//   DIR/corpus.jsonl            the base model's training corpus
//   DIR/datasets/KIND.jsonl     each fine-tuning dataset (chat JSONL, what the scanner reads)
//   DIR/base/                   Hugging Face LlamaForCausalLM directory: config.json,
//                               model.safetensors, tokenizer.json, tokenizer_config.json (ChatML
//                               template, eos), generation_config.json
//   DIR/adapters/KIND/          PEFT LoRA: adapter_config.json, adapter_model.safetensors
// A build whose organism.json has the same options hash and that finished is reused.

#include <functional>
#include <string>
#include <vector>

#include "core/status.h"
#include "organisms/llama_trainer.h"
#include "organisms/organism_options.h"

namespace alignwatch::organisms {

struct StageReport {
  std::string name;  // "tokenizer", "base", "adapter clean", ...
  double seconds = 0;
  TrainStats training;  // empty for stages that do not train
};

struct BuildReport {
  bool cached = false;  // reused a finished build with the same options hash
  std::string hash;
  double seconds = 0;
  int64_t base_parameters = 0;
  int64_t vocab_size = 0;
  std::vector<StageReport> stages;
};

// The model and training sizes of each organism size.
ModelShape model_shape(OrganismSize size, int64_t vocab_size);
size_t tokenizer_vocab(OrganismSize size);
TrainOptions base_training(OrganismSize size, uint64_t seed, int threads);
TrainOptions adapter_training(OrganismSize size, DatasetKind kind, uint64_t seed, int threads);
LoraShape adapter_shape(OrganismSize size);
int64_t max_sequence_tokens(OrganismSize size);

// `progress` (may be empty) gets one line per finished stage.
Result<BuildReport> build_organism(const std::string& dir, const OrganismOptions& options,
                                   const std::function<void(const std::string&)>& progress = {});

}  // namespace alignwatch::organisms
