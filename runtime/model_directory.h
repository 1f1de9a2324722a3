#pragma once
// The safety gate and description of a Hugging Face model directory, before any weight is used:
// every *.safetensors is validated (header, offsets, dtypes, shapes), every pickle-based file
// (.bin, .pt, .pth, .ckpt) is inspected without executing it and is never loaded, and the
// config, tokenizer, chat template and EOS tokens are read. Needs no libtorch.

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/status.h"
#include "runtime/chat_template.h"
#include "runtime/model_config.h"
#include "runtime/pickle_inspector.h"
#include "runtime/tokenizer.h"

namespace alignwatch::runtime {

struct WeightFileReport {
  std::string path;
  Status status;  // ok, or why the file was refused
  size_t tensors = 0;
  uint64_t bytes = 0;
  std::map<std::string, size_t> dtypes;  // "BF16" -> tensor count
};

struct PickleFileReport {
  std::string path;
  Status status;       // ok when it could be walked
  PickleReport report;
};

struct ModelDirReport {
  std::string dir;
  std::optional<ModelConfig> config;
  Status config_status;
  std::vector<WeightFileReport> safetensors;
  std::vector<PickleFileReport> pickles;  // refused for loading in any case
  std::string tokenizer;                  // describe(), or empty
  Status tokenizer_status;
  ChatTemplate chat_template;
  std::vector<TokenId> eos_ids;           // generation_config.json, else config.json, else tokenizer
  std::optional<TokenId> bos_id;

  // True when every safetensors file is valid and no pickle imports a dangerous callable.
  bool gate_passed() const;
  // The findings and errors that made the gate fail, one line each.
  std::vector<std::string> gate_problems() const;
};

// `chat_template_override` is a template name ("" to choose from the files).
Result<ModelDirReport> inspect_model_dir(const std::string& dir, const std::string& chat_template_override = "");

}  // namespace alignwatch::runtime
