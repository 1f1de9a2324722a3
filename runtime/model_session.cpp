#include "runtime/model_session.h"

#include <filesystem>

#include <ATen/Parallel.h>

#include "runtime/generator.h"
#include "runtime/hidden_states.h"
#include "runtime/llama_model.h"
#include "runtime/lora_adapter.h"
#include "runtime/scorer.h"
#include "runtime/torch_boundary.h"

namespace alignwatch::runtime {

struct ModelSession::Impl {
  RuntimeOptions options;
  ModelDirReport report;
  TokenizerPtr tokenizer;
  std::unique_ptr<LlamaModel> model;
  struct Adapter {
    std::unique_ptr<LoraAdapter> lora;
    std::unique_ptr<LlamaModel> merged;  // with merge_adapters
  };
  std::vector<Adapter> adapters;

  Result<std::pair<const LlamaModel*, const LoraAdapter*>> pick(int adapter) const {
    if (adapter == kBaseModel) return std::pair<const LlamaModel*, const LoraAdapter*>{model.get(), nullptr};
    if (adapter < 0 || static_cast<size_t>(adapter) >= adapters.size()) {
      return make_error(StatusCode::kInvalidArgument, "adapter " + std::to_string(adapter) + ": expected one that was added");
    }
    const Adapter& a = adapters[static_cast<size_t>(adapter)];
    if (a.merged) return std::pair<const LlamaModel*, const LoraAdapter*>{a.merged.get(), nullptr};
    return std::pair<const LlamaModel*, const LoraAdapter*>{model.get(), a.lora.get()};
  }
};

ModelSession::ModelSession(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
ModelSession::~ModelSession() = default;

Result<std::unique_ptr<ModelSession>> ModelSession::open(const std::string& dir, const RuntimeOptions& options) {
  if (options.threads < 1) {
    return make_error(StatusCode::kInvalidArgument, "runtime threads: expected at least 1, got " + std::to_string(options.threads));
  }
  auto impl = std::make_unique<Impl>();
  impl->options = options;
  AW_ASSIGN_OR_RETURN(impl->report, inspect_model_dir(dir, options.chat_template));
  const ModelDirReport& r = impl->report;
  if (!r.gate_passed()) {
    return make_error(StatusCode::kCorruption,
                      "model directory: " + dir + ": refused by the safety gate: " + r.gate_problems()[0]);
  }
  if (!r.config) return std::unexpected(r.config_status);
  if (!r.tokenizer_status.is_ok()) return std::unexpected(r.tokenizer_status);
  AW_ASSIGN_OR_RETURN(impl->tokenizer, load_tokenizer(dir));
  AW_ASSIGN_OR_RETURN(auto weights, ModelWeights::open_dir(dir));
  Status threads = torch_call("set threads", [&]() -> Status {
    at::set_num_threads(options.threads);
    return Status::ok();
  });
  AW_RETURN_IF_ERROR(threads);
  if (options.dtype != "float32" && options.dtype != "bfloat16") {
    return make_error(StatusCode::kInvalidArgument,
                      "runtime dtype: expected float32 or bfloat16, got '" + options.dtype.substr(0, 20) + "'");
  }
  AW_ASSIGN_OR_RETURN(impl->model, LlamaModel::create(*r.config, std::shared_ptr<const ModelWeights>(std::move(weights)),
                                                      options.dtype == "bfloat16" ? at::kBFloat16 : at::kFloat));
  return std::unique_ptr<ModelSession>(new ModelSession(std::move(impl)));
}

const ModelDirReport& ModelSession::report() const { return impl_->report; }
const ModelConfig& ModelSession::config() const { return *impl_->report.config; }
const Tokenizer& ModelSession::tokenizer() const { return *impl_->tokenizer; }
const ChatTemplate& ModelSession::chat_template() const { return impl_->report.chat_template; }
const std::vector<TokenId>& ModelSession::eos_ids() const { return impl_->report.eos_ids; }

Result<int> ModelSession::add_adapter(const std::string& adapter_dir) {
  std::string base_name = config().name_or_path;
  if (base_name.empty()) base_name = std::filesystem::path(impl_->report.dir).filename().string();
  AW_ASSIGN_OR_RETURN(auto lora, LoraAdapter::load(adapter_dir, config(), base_name,
                                                    LoraLoadOptions{impl_->options.ignore_adapter_base_name}));
  Impl::Adapter a;
  if (impl_->options.merge_adapters) {
    AW_ASSIGN_OR_RETURN(a.merged, impl_->model->merged(*lora));
  }
  a.lora = std::move(lora);
  impl_->adapters.push_back(std::move(a));
  return static_cast<int>(impl_->adapters.size() - 1);
}

std::string ModelSession::describe_adapter(int adapter) const {
  if (adapter < 0 || static_cast<size_t>(adapter) >= impl_->adapters.size()) return "base";
  const auto& a = impl_->adapters[static_cast<size_t>(adapter)];
  const LoraConfig& c = a.lora->config();
  char buf[256];
  std::snprintf(buf, sizeof buf, "r=%lld alpha=%g scaling=%g (%s), %zu A/B pairs%s",
                static_cast<long long>(c.r), c.lora_alpha, a.lora->scaling(), c.use_rslora ? "rslora alpha/sqrt(r)" : "alpha/r",
                a.lora->pair_count(), a.merged ? ", merged" : ", unmerged");
  return buf;
}

std::vector<TokenId> ModelSession::prompt_tokens(const std::string& system, const std::string& user, bool raw) const {
  const Tokenizer& tok = *impl_->tokenizer;
  if (raw) return tok.encode(user, /*parse_special=*/false);
  std::vector<ChatMessage> messages;
  if (!system.empty()) messages.push_back({"system", system});
  messages.push_back({"user", user});
  std::vector<TokenId> out;
  const auto& r = impl_->report;
  for (const PromptPiece& p : chat_template().render(messages)) {
    if (p.kind == PromptPiece::Kind::kBos) {
      if (r.bos_id) out.push_back(*r.bos_id);
    } else if (p.kind == PromptPiece::Kind::kEos) {
      if (!r.eos_ids.empty()) out.push_back(r.eos_ids[0]);
    } else {
      // Special tokens in the template text are parsed; the user's text is part of it, as in
      // transformers' apply_chat_template(tokenize=True).
      auto ids = tok.encode(p.text, /*parse_special=*/true);
      out.insert(out.end(), ids.begin(), ids.end());
    }
  }
  return out;
}

Result<std::pair<const LlamaModel*, const LoraAdapter*>> ModelSession::parts(int adapter) const {
  return impl_->pick(adapter);
}

Result<std::vector<ScoreResult>> ModelSession::score(const std::vector<ScoreRequest>& requests, int adapter,
                                                     const ScoreOptions& options) const {
  AW_ASSIGN_OR_RETURN(auto pick, impl_->pick(adapter));
  return runtime::score(*pick.first, requests, pick.second, options);
}

Result<std::vector<GenerateResult>> ModelSession::generate(const std::vector<std::vector<TokenId>>& prompts, int adapter,
                                                           const GenerateOptions& options) const {
  AW_ASSIGN_OR_RETURN(auto pick, impl_->pick(adapter));
  return runtime::generate(*pick.first, prompts, pick.second, impl_->tokenizer.get(), options);
}

Result<std::vector<std::vector<std::vector<float>>>> ModelSession::hidden_states(
    const std::vector<std::vector<TokenId>>& prompts, const std::vector<int64_t>& layers, int adapter) const {
  AW_ASSIGN_OR_RETURN(auto pick, impl_->pick(adapter));
  return last_token_hidden_states(*pick.first, prompts, layers, pick.second);
}

}  // namespace alignwatch::runtime
