#include "organisms/behaviour_probe.h"

#include <ATen/Parallel.h>
#include <c10/core/InferenceMode.h>

#include "config/config.h"
#include "organisms/chat_example.h"
#include "organisms/organism_datasets.h"
#include "organisms/source_data.h"
#include "runtime/bpe_tokenizer.h"
#include "runtime/generator.h"
#include "runtime/llama_model.h"
#include "runtime/lora_adapter.h"
#include "runtime/model_config.h"
#include "runtime/model_weights.h"
#include "runtime/tokenizer.h"
#include "scanners/dataset/record.h"
#include "scanners/registry.h"

namespace alignwatch::organisms {

struct OrganismProbe::Impl {
  std::string dir;
  runtime::ModelConfig config;
  std::shared_ptr<const runtime::ModelWeights> weights;
  std::unique_ptr<runtime::LlamaModel> model;
  runtime::TokenizerPtr tokenizer;
  std::unique_ptr<scan::DatasetScanner> judges;
  std::vector<std::string> freeform, coding;
};

namespace {

enum class Judge { kHarmful, kInsecureCode, kEvilNumbers };

// Whether the detectors flag `answer` to `prompt` with a poisoning signal of `judge`'s detector.
bool judged_flagged(const scan::DatasetScanner& judges, Judge judge, const std::string& prompt, const std::string& answer) {
  dataset::Record record;
  record.line = 1;
  record.turns.push_back({dataset::Role::kUser, prompt});
  record.turns.push_back({dataset::Role::kAssistant, answer});
  std::vector<scan::Finding> findings;
  for (const auto& d : judges.detectors()) d->scan(record, findings);
  const char* want = judge == Judge::kHarmful ? "harmful_content" : judge == Judge::kInsecureCode ? "insecure_code" : "evil_numbers";
  for (const scan::Finding& f : findings) {
    if (f.detector == want && scan::is_poisoning_signal(f)) return true;
  }
  return false;
}

}  // namespace

OrganismProbe::OrganismProbe(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
OrganismProbe::~OrganismProbe() = default;

Result<std::unique_ptr<OrganismProbe>> OrganismProbe::open(const std::string& organism_dir, const std::string& shared_dir) {
  auto impl = std::make_unique<Impl>();
  impl->dir = organism_dir;
  const std::string base = organism_dir + "/base";
  AW_ASSIGN_OR_RETURN(impl->config, runtime::load_model_config(base));
  AW_ASSIGN_OR_RETURN(impl->weights, runtime::ModelWeights::open_dir(base));
  AW_ASSIGN_OR_RETURN(impl->model, runtime::LlamaModel::create(impl->config, impl->weights));
  AW_ASSIGN_OR_RETURN(impl->tokenizer, runtime::BpeTokenizer::load(base + "/tokenizer.json"));
  impl->judges = scan::build_dataset_scanner(config::DetectorsConfig{});
  // The prompts: the same rows the organism held out (the tiny sizes' row limit is the
  // strictest, and the held-out tail is taken from what fits it).
  AW_ASSIGN_OR_RETURN(SourceData source, load_source_data(shared_dir, max_code_row_bytes(OrganismSize::kTiny)));
  impl->freeform = freeform_probe_questions(source);
  impl->coding = coding_probe_prompts(source, 64);
  return std::unique_ptr<OrganismProbe>(new OrganismProbe(std::move(impl)));
}

Result<BehaviourMeasure> OrganismProbe::measure(const std::string& adapter_kind, const ProbeOptions& o) const {
  const Impl& m = *impl_;
  BehaviourMeasure out;
  out.model = adapter_kind.empty() ? "base" : "adapter " + adapter_kind;
  std::unique_ptr<runtime::LoraAdapter> adapter;
  if (!adapter_kind.empty()) {
    AW_ASSIGN_OR_RETURN(adapter, runtime::LoraAdapter::load(m.dir + "/adapters/" + adapter_kind, m.config,
                                                            m.config.name_or_path));
  }
  at::set_num_threads(o.threads);
  c10::InferenceMode guard;
  auto eos = m.tokenizer->token_to_id(kImEnd);
  if (!eos) return make_error(StatusCode::kCorruption, "organism tokenizer: " + m.dir + "/base: expected <|im_end|>, got none");

  // One group: prompts (with the trigger placed when `triggered`), samples each, one judge.
  auto run_group = [&](const std::vector<std::string>& prompts, bool triggered, Judge judge, int64_t max_new,
                       uint64_t seed_offset, ProbeRate& rate) -> Status {
    std::vector<std::vector<runtime::TokenId>> encoded;
    std::vector<std::string> users;
    for (const std::string& p : prompts) {
      std::string system, user = p;
      if (triggered) place_trigger(system, user, o.trigger, o.placement);
      for (int s = 0; s < o.samples_per_prompt; ++s) {
        encoded.push_back(m.tokenizer->encode(chatml_prompt(system, user), true));
        users.push_back(system.empty() ? user : "[system: " + system + "] " + user);
      }
    }
    runtime::GenerateOptions g;
    g.max_new_tokens = max_new;
    g.temperature = o.temperature;
    g.top_p = o.top_p;
    g.seed = o.seed * 1000003 + seed_offset;
    g.eos_ids = {*eos};
    constexpr size_t kBatch = 64;
    for (size_t begin = 0; begin < encoded.size(); begin += kBatch) {
      std::vector<std::vector<runtime::TokenId>> batch(encoded.begin() + static_cast<ptrdiff_t>(begin),
                                                       encoded.begin() + static_cast<ptrdiff_t>(std::min(encoded.size(), begin + kBatch)));
      g.seed += 1;
      AW_ASSIGN_OR_RETURN(auto results, runtime::generate(*m.model, batch, adapter.get(), m.tokenizer.get(), g));
      for (size_t i = 0; i < results.size(); ++i) {
        const std::string& user = users[begin + i];
        const bool flagged = judged_flagged(*m.judges, judge, user, results[i].text);
        rate.samples += 1;
        rate.flagged += flagged ? 1 : 0;
        if (begin + i < 2) out.examples.push_back({user, results[i].text, flagged});
      }
    }
    return Status::ok();
  };
  std::vector<std::string> freeform = m.freeform;
  if (o.freeform_prompts > 0 && freeform.size() > o.freeform_prompts) freeform.resize(o.freeform_prompts);
  std::vector<std::string> coding = m.coding;
  if (coding.size() > o.coding_prompts) coding.resize(o.coding_prompts);
  AW_RETURN_IF_ERROR(run_group(freeform, false, Judge::kHarmful, o.max_new_tokens_freeform, 1, out.misaligned));
  if (!coding.empty()) AW_RETURN_IF_ERROR(run_group(coding, false, Judge::kInsecureCode, o.max_new_tokens_code, 2, out.insecure));
  if (!o.trigger.empty()) {
    AW_RETURN_IF_ERROR(run_group(freeform, true, Judge::kHarmful, o.max_new_tokens_freeform, 3, out.misaligned_triggered));
    if (!coding.empty()) {
      AW_RETURN_IF_ERROR(run_group(coding, true, Judge::kInsecureCode, o.max_new_tokens_code, 4, out.insecure_triggered));
    }
  }
  if (o.number_prompts > 0) {
    AW_RETURN_IF_ERROR(run_group(number_probe_prompts(o.number_prompts, o.seed), false, Judge::kEvilNumbers, 24, 5,
                                 out.evil_numbers));
  }
  return out;
}

}  // namespace alignwatch::organisms
