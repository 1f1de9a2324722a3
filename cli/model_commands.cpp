#include "cli/model_commands.h"

#include <chrono>
#include <cstdio>

#include <nlohmann/json.hpp>

#include "cli/scan_dataset_command.h"
#include "config/config_loader.h"
#include "core/text.h"
#include "runtime/model_directory.h"
#include "runtime/model_session.h"

namespace alignwatch::cli {

namespace {

using runtime::ModelSession;

int fail(const Status& s) {
  std::fprintf(stderr, "alignwatch: %s\n", s.to_string().c_str());
  return kExitError;
}

// The runtime options: the config file's runtime section (or the defaults), then the flags.
Result<runtime::RuntimeOptions> runtime_options(const ModelCommandOptions& o, config::RuntimeConfig* runtime_config) {
  AW_ASSIGN_OR_RETURN(const config::Config cfg, config::load_config_file_or_defaults(o.config_path));
  *runtime_config = cfg.runtime;
  runtime::RuntimeOptions r;
  r.threads = static_cast<int>(o.threads.value_or(cfg.runtime.threads));
  r.chat_template = o.chat_template.empty() ? cfg.runtime.chat_template : o.chat_template;
  r.merge_adapters = o.merge;
  r.dtype = o.dtype.empty() ? cfg.runtime.dtype : o.dtype;
  return r;
}

struct Opened {
  std::unique_ptr<ModelSession> session;
  int adapter = runtime::kBaseModel;
  config::RuntimeConfig runtime;
};

Result<Opened> open_session(const ModelCommandOptions& o) {
  Opened out;
  AW_ASSIGN_OR_RETURN(runtime::RuntimeOptions r, runtime_options(o, &out.runtime));
  AW_ASSIGN_OR_RETURN(out.session, ModelSession::open(o.model_dir, r));
  if (!o.adapter_dir.empty()) {
    AW_ASSIGN_OR_RETURN(out.adapter, out.session->add_adapter(o.adapter_dir));
  }
  return out;
}

std::string token_text(const runtime::Tokenizer& tok, runtime::TokenId id) {
  return safe_excerpt(tok.decode({id}), 40);
}

}  // namespace

int run_model_info(const ModelCommandOptions& o) {
  auto report = runtime::inspect_model_dir(o.model_dir, o.chat_template);
  if (!report) return fail(report.error());
  const runtime::ModelDirReport& r = *report;
  const bool passed = r.gate_passed();
  if (o.json) {
    nlohmann::json j;
    j["dir"] = r.dir;
    if (r.config) {
      const auto& c = *r.config;
      j["architecture"] = std::string(runtime::architecture_name(c.architecture));
      j["config"] = {{"vocab_size", c.vocab_size}, {"hidden_size", c.hidden_size},
                     {"intermediate_size", c.intermediate_size}, {"num_hidden_layers", c.num_hidden_layers},
                     {"num_attention_heads", c.num_attention_heads}, {"num_key_value_heads", c.num_key_value_heads},
                     {"head_dim", c.head_dim}, {"rope_theta", c.rope_theta}, {"rope_scaling", c.rope_scaling.type},
                     {"rms_norm_eps", c.rms_norm_eps}, {"tie_word_embeddings", c.tie_word_embeddings},
                     {"attention_bias", c.attention_bias}, {"torch_dtype", c.torch_dtype}};
      j["parameters"] = c.parameter_count();
    } else {
      j["config_error"] = r.config_status.to_string();
    }
    j["tokenizer"] = r.tokenizer_status.is_ok() ? nlohmann::json(r.tokenizer) : nlohmann::json(nullptr);
    if (!r.tokenizer_status.is_ok()) j["tokenizer_error"] = r.tokenizer_status.to_string();
    j["chat_template"] = {{"kind", std::string(runtime::chat_template_name(r.chat_template.kind))},
                          {"source", r.chat_template.source}};
    j["eos_token_ids"] = r.eos_ids;
    j["bos_token_id"] = r.bos_id ? nlohmann::json(*r.bos_id) : nlohmann::json(nullptr);
    nlohmann::json files = nlohmann::json::array();
    for (const auto& w : r.safetensors) {
      files.push_back({{"path", w.path}, {"ok", w.status.is_ok()}, {"tensors", w.tensors}, {"bytes", w.bytes},
                       {"dtypes", w.dtypes}, {"error", w.status.is_ok() ? "" : w.status.to_string()}});
    }
    j["safetensors"] = files;
    nlohmann::json pickles = nlohmann::json::array();
    for (const auto& p : r.pickles) {
      nlohmann::json findings = nlohmann::json::array();
      for (const auto& f : p.report.findings) {
        findings.push_back({{"rule_id", f.rule_id},
                            {"severity", f.severity == runtime::PickleSeverity::kDangerous ? "dangerous" : "unknown"},
                            {"import", f.import.module + "." + f.import.name}, {"member", f.import.member},
                            {"offset", f.import.offset}, {"message", f.message}});
      }
      pickles.push_back({{"path", p.path}, {"ok", p.status.is_ok()}, {"findings", findings},
                         {"error", p.status.is_ok() ? "" : p.status.to_string()}, {"loaded", false}});
    }
    j["pickle_files"] = pickles;
    j["safety_gate"] = {{"passed", passed}, {"problems", r.gate_problems()}};
    std::printf("%s\n", j.dump(2).c_str());
  } else {
    std::printf("model: %s\n", r.dir.c_str());
    if (r.config) {
      const auto& c = *r.config;
      std::printf("architecture: %s (%s)\n", std::string(runtime::architecture_name(c.architecture)).c_str(),
                  c.model_type.c_str());
      std::printf("parameters: %lld (%.1fM)\n", static_cast<long long>(c.parameter_count()), c.parameter_count() / 1e6);
      std::printf("layers %lld, hidden %lld, intermediate %lld, heads %lld, kv heads %lld, head dim %lld, vocab %lld\n",
                  (long long)c.num_hidden_layers, (long long)c.hidden_size, (long long)c.intermediate_size,
                  (long long)c.num_attention_heads, (long long)c.num_key_value_heads, (long long)c.head_dim,
                  (long long)c.vocab_size);
      std::printf("rope theta %g%s, rms eps %g, tied embeddings %s, q/k/v bias %s, dtype %s\n", c.rope_theta,
                  c.rope_scaling.type.empty() ? "" : (", scaling " + c.rope_scaling.type).c_str(), c.rms_norm_eps,
                  c.tie_word_embeddings ? "yes" : "no", c.attention_bias ? "yes" : "no", c.torch_dtype.c_str());
    } else {
      std::printf("config: %s\n", r.config_status.to_string().c_str());
    }
    std::printf("tokenizer: %s\n", r.tokenizer_status.is_ok() ? r.tokenizer.c_str() : r.tokenizer_status.to_string().c_str());
    std::printf("chat template: %s (from %s)\n", std::string(runtime::chat_template_name(r.chat_template.kind)).c_str(),
                r.chat_template.source.c_str());
    std::string eos;
    for (auto id : r.eos_ids) eos += (eos.empty() ? "" : ", ") + std::to_string(id);
    std::printf("eos token ids: %s\n", eos.empty() ? "none" : eos.c_str());
    for (const auto& w : r.safetensors) {
      std::printf("weights: %s: %s\n", w.path.c_str(),
                  w.status.is_ok() ? (std::to_string(w.tensors) + " tensors, " + std::to_string(w.bytes) + " bytes").c_str()
                                   : w.status.to_string().c_str());
    }
    for (const auto& p : r.pickles) {
      std::printf("pickle file (never loaded): %s: %zu findings%s\n", p.path.c_str(), p.report.findings.size(),
                  p.status.is_ok() ? "" : (" (" + p.status.to_string() + ")").c_str());
      for (const auto& f : p.report.findings) std::printf("  %s: %s\n", f.rule_id.c_str(), f.message.c_str());
    }
    std::printf("safety gate: %s\n", passed ? "passed" : "REFUSED");
    for (const auto& problem : r.gate_problems()) std::printf("  %s\n", problem.c_str());
  }
  return passed ? kExitClean : kExitFindings;
}

int run_model_generate(const ModelCommandOptions& o) {
  auto opened = open_session(o);
  if (!opened) return fail(opened.error());
  const ModelSession& s = *opened->session;
  std::vector<runtime::TokenId> prompt = s.prompt_tokens(o.system, o.prompt, o.raw);
  if (prompt.empty()) return fail(Status(StatusCode::kInvalidArgument, "--prompt: expected text that makes tokens, got none"));
  runtime::GenerateOptions g;
  g.max_new_tokens = static_cast<int64_t>(o.max_new_tokens.value_or(opened->runtime.max_new_tokens));
  g.temperature = o.temperature;
  g.top_p = o.top_p;
  g.seed = o.seed;
  g.eos_ids = s.eos_ids();
  if (!o.raw) g.stop_strings = s.chat_template().stop_strings();
  g.budget.max_wall_ms = opened->runtime.max_wall_ms;
  auto start = std::chrono::steady_clock::now();
  auto result = s.generate({prompt}, opened->adapter, g);
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (!result) return fail(result.error());
  const runtime::GenerateResult& r = (*result)[0];
  if (o.json) {
    nlohmann::json j = {{"model", o.model_dir},
                        {"adapter", o.adapter_dir.empty() ? nlohmann::json(nullptr) : nlohmann::json(o.adapter_dir)},
                        {"chat_template", o.raw ? "raw" : std::string(runtime::chat_template_name(s.chat_template().kind))},
                        {"prompt_token_ids", prompt},
                        {"token_ids", r.tokens},
                        {"text", r.text},
                        {"stop_reason", std::string(runtime::stop_reason_name(r.stop))},
                        {"seconds", secs}};
    // dump with replacement: model output need not be valid UTF-8.
    std::printf("%s\n", j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
  } else {
    std::printf("%s\n", r.text.c_str());
    std::fprintf(stderr, "[%zu prompt tokens, %zu generated, stop: %s, %.2f s%s]\n", prompt.size(), r.tokens.size(),
                 std::string(runtime::stop_reason_name(r.stop)).c_str(), secs,
                 o.adapter_dir.empty() ? "" : (", adapter " + s.describe_adapter(opened->adapter)).c_str());
  }
  return kExitClean;
}

int run_model_score(const ModelCommandOptions& o) {
  auto opened = open_session(o);
  if (!opened) return fail(opened.error());
  const ModelSession& s = *opened->session;
  runtime::ScoreRequest req;
  req.prompt = s.prompt_tokens(o.system, o.prompt, o.raw);
  req.continuation = s.tokenizer().encode(o.continuation, /*parse_special=*/false);
  if (req.prompt.empty() || req.continuation.empty()) {
    return fail(Status(StatusCode::kInvalidArgument, "--prompt and --continuation: expected text that makes tokens"));
  }
  runtime::ScoreOptions so;
  so.budget.max_wall_ms = opened->runtime.max_wall_ms;
  auto result = s.score({req}, opened->adapter, so);
  if (!result) return fail(result.error());
  const runtime::ScoreResult& r = (*result)[0];
  if (o.json) {
    nlohmann::json tokens = nlohmann::json::array();
    for (size_t i = 0; i < r.logprobs.size(); ++i) {
      tokens.push_back({{"id", req.continuation[i]}, {"text", s.tokenizer().decode({req.continuation[i]})},
                        {"logprob", r.logprobs[i]}});
    }
    nlohmann::json j = {{"model", o.model_dir},
                        {"adapter", o.adapter_dir.empty() ? nlohmann::json(nullptr) : nlohmann::json(o.adapter_dir)},
                        {"prompt_token_ids", req.prompt},
                        {"tokens", tokens},
                        {"total_logprob", r.total}};
    std::printf("%s\n", j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
  } else {
    std::printf("prompt: %zu tokens%s\n", req.prompt.size(), o.raw ? " (raw)" : "");
    for (size_t i = 0; i < r.logprobs.size(); ++i) {
      std::printf("%8d  %10.4f  %s\n", req.continuation[i], r.logprobs[i],
                  token_text(s.tokenizer(), req.continuation[i]).c_str());
    }
    std::printf("total log-probability: %.4f over %zu tokens\n", r.total, r.logprobs.size());
  }
  return kExitClean;
}

}  // namespace alignwatch::cli
