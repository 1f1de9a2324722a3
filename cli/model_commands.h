#pragma once
// The CLI's model commands, for trying a model and an adapter by hand (built with the libtorch
// runtime only):
//
//   alignwatch model info DIR                      architecture, sizes, tokenizer, chat template,
//                                                  safety gate (0 passed, 1 refused, 2 error)
//   alignwatch model generate --model DIR [--adapter DIR] --prompt TEXT ...
//   alignwatch model score --model DIR [--adapter DIR] --prompt TEXT --continuation TEXT ...
//
// Each takes --format text|json. Without --raw the prompt goes through the chat template.

#include <cstdint>
#include <optional>
#include <string>

namespace alignwatch::cli {

struct ModelCommandOptions {
  std::string model_dir;
  std::string adapter_dir;
  std::string config_path;     // runtime.* options; flags below override
  std::string chat_template;   // override: chatml, llama3, llama2, plain
  std::optional<uint64_t> threads;
  std::string dtype;           // float32 or bfloat16 (default: runtime.dtype)
  bool merge = false;
  bool json = false;
  std::string prompt;
  std::string system;
  bool raw = false;
  // generate
  std::optional<uint64_t> max_new_tokens;
  double temperature = 0.0;
  double top_p = 1.0;
  uint64_t seed = 0;
  // score
  std::string continuation;
};

int run_model_info(const ModelCommandOptions& options);
int run_model_generate(const ModelCommandOptions& options);
int run_model_score(const ModelCommandOptions& options);

}  // namespace alignwatch::cli
