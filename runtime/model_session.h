#pragma once
// One loaded base model with its tokenizer, chat template and any number of LoRA adapters,
// behind a header without libtorch (pimpl): what the CLI and the probe scanners use. The
// directory passes the safety gate (model_directory.h) before a weight is mapped. Adapters are
// applied unmerged, so the base and every adapter serve side by side; with merge_adapters each
// adapter gets its own merged copy instead. Thread-safe after load: score() and generate() may
// run concurrently (each call holds c10::InferenceMode on its own thread).

#include <memory>
#include <utility>
#include <string>
#include <vector>

#include "core/status.h"
#include "runtime/chat_template.h"
#include "runtime/generate_types.h"
#include "runtime/model_config.h"
#include "runtime/model_directory.h"
#include "runtime/score_types.h"
#include "runtime/tokenizer.h"

namespace alignwatch::runtime {

class LlamaModel;
class LoraAdapter;

struct RuntimeOptions {
  int threads = 1;                    // at::set_num_threads (process-wide in libtorch)
  std::string dtype = "float32";      // compute dtype: float32 or bfloat16
  std::string chat_template;          // "" to choose from the model's files
  bool merge_adapters = false;
  bool ignore_adapter_base_name = false;
};

// Base is kBaseModel; add_adapter returns 0, 1, ...
constexpr int kBaseModel = -1;

class ModelSession {
 public:
  static Result<std::unique_ptr<ModelSession>> open(const std::string& model_dir, const RuntimeOptions& options);
  ~ModelSession();

  const ModelDirReport& report() const;
  const ModelConfig& config() const;
  const Tokenizer& tokenizer() const;
  const ChatTemplate& chat_template() const;
  const std::vector<TokenId>& eos_ids() const;

  // Validates the adapter against this base and keeps it; returns its index.
  Result<int> add_adapter(const std::string& adapter_dir);
  // "r=8 alpha=16 scaling=2 (rslora) 14 A/B pairs"
  std::string describe_adapter(int adapter) const;

  // The tokens of a prompt: through the chat template (system may be empty), or the raw text.
  std::vector<TokenId> prompt_tokens(const std::string& system, const std::string& user, bool raw) const;

  // The model and LoRA (null for the base) that `adapter` runs, for code that needs tensors
  // (the trigger search's gradients).
  Result<std::pair<const LlamaModel*, const LoraAdapter*>> parts(int adapter) const;
  Result<std::vector<ScoreResult>> score(const std::vector<ScoreRequest>& requests, int adapter,
                                         const ScoreOptions& options = {}) const;
  Result<std::vector<GenerateResult>> generate(const std::vector<std::vector<TokenId>>& prompts, int adapter,
                                               const GenerateOptions& options) const;
  // The residual stream at each prompt's last token: result[prompt][i] at layers[i]
  // (0 = embeddings, L = after the last decoder layer).
  Result<std::vector<std::vector<std::vector<float>>>> hidden_states(const std::vector<std::vector<TokenId>>& prompts,
                                                                     const std::vector<int64_t>& layers,
                                                                     int adapter) const;

 private:
  struct Impl;
  explicit ModelSession(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace alignwatch::runtime
