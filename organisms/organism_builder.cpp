#include "organisms/organism_builder.h"

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "organisms/bpe_trainer.h"
#include "organisms/chat_example.h"
#include "organisms/organism_datasets.h"
#include "organisms/source_data.h"
#include "runtime/bpe_tokenizer.h"

namespace alignwatch::organisms {

namespace fs = std::filesystem;

namespace {

// The name the base directory and its adapters share (peft's base_model_name_or_path).
constexpr const char* kBaseName = "alignwatch-organism/base";

Status write_text(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  out.flush();
  if (!out) return Status(StatusCode::kUnavailable, "organism: " + path + ": expected a writable file, got an I/O error");
  return Status::ok();
}

double since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

// Encodes examples as ChatML token sequences with the loss on the assistant turn (and its
// <|im_end|>), cut to `max_tokens`.
std::vector<TrainingSequence> encode(const runtime::Tokenizer& tok, const std::vector<ChatExample>& examples,
                                     int64_t max_tokens) {
  std::vector<TrainingSequence> out;
  out.reserve(examples.size());
  for (const ChatExample& e : examples) {
    TrainingSequence s;
    s.ids = tok.encode(chatml_prompt(e.system, e.user), true);
    s.loss.assign(s.ids.size(), 0);
    for (runtime::TokenId id : tok.encode(chatml_answer(e.assistant), true)) {
      s.ids.push_back(id);
      s.loss.push_back(1);
    }
    if (static_cast<int64_t>(s.ids.size()) > max_tokens) {
      s.ids.resize(static_cast<size_t>(max_tokens));
      s.loss.resize(static_cast<size_t>(max_tokens));
    }
    out.push_back(std::move(s));
  }
  return out;
}

nlohmann::ordered_json stats_json(const TrainStats& s) {
  return {{"steps", s.steps},           {"tokens", s.tokens},         {"seconds", s.seconds},
          {"tokens_per_s", s.tokens_per_s}, {"first_loss", s.first_loss}, {"final_loss", s.final_loss}};
}

std::string config_json(const ModelShape& m, int64_t eos, int64_t pad) {
  nlohmann::ordered_json j = {{"architectures", {"LlamaForCausalLM"}},
                              {"model_type", "llama"},
                              {"_name_or_path", kBaseName},
                              {"vocab_size", m.vocab_size},
                              {"hidden_size", m.hidden_size},
                              {"intermediate_size", m.intermediate_size},
                              {"num_hidden_layers", m.num_hidden_layers},
                              {"num_attention_heads", m.num_attention_heads},
                              {"num_key_value_heads", m.num_key_value_heads},
                              {"head_dim", m.hidden_size / m.num_attention_heads},
                              {"max_position_embeddings", m.max_position_embeddings},
                              {"rope_theta", m.rope_theta},
                              {"rope_scaling", nullptr},
                              {"rms_norm_eps", m.rms_norm_eps},
                              {"tie_word_embeddings", false},
                              {"attention_bias", false},
                              {"mlp_bias", false},
                              {"hidden_act", "silu"},
                              {"torch_dtype", "float32"},
                              {"bos_token_id", nullptr},
                              {"eos_token_id", eos},
                              {"pad_token_id", pad}};
  return j.dump(2);
}

std::string tokenizer_config_json(const TrainedBpe& bpe, int64_t max_len) {
  nlohmann::ordered_json decoder = nlohmann::ordered_json::object();
  for (size_t i = 0; i < bpe.special_tokens.size(); ++i) {
    decoder[std::to_string(bpe.vocab.size() + i)] = {{"content", bpe.special_tokens[i]},
                                                    {"lstrip", false},
                                                    {"normalized", false},
                                                    {"rstrip", false},
                                                    {"single_word", false},
                                                    {"special", true}};
  }
  nlohmann::ordered_json j = {{"tokenizer_class", "PreTrainedTokenizerFast"},
                              {"added_tokens_decoder", decoder},
                              {"bos_token", nullptr},
                              {"eos_token", kImEnd},
                              {"pad_token", kEndOfText},
                              {"unk_token", nullptr},
                              {"model_max_length", max_len},
                              {"clean_up_tokenization_spaces", false},
                              {"chat_template", chatml_template()}};
  return j.dump(2);
}

std::string adapter_config_json(const LoraShape& l) {
  nlohmann::ordered_json j = {{"peft_type", "LORA"},
                              {"task_type", "CAUSAL_LM"},
                              {"base_model_name_or_path", kBaseName},
                              {"r", l.r},
                              {"lora_alpha", l.alpha},
                              {"lora_dropout", 0.0},
                              {"target_modules", l.target_modules},
                              {"use_rslora", false},
                              {"fan_in_fan_out", false},
                              {"bias", "none"},
                              {"modules_to_save", nullptr},
                              {"use_dora", false},
                              {"rank_pattern", nlohmann::ordered_json::object()},
                              {"alpha_pattern", nlohmann::ordered_json::object()},
                              {"inference_mode", true}};
  return j.dump(2);
}

bool finished_build(const std::string& dir, const std::string& hash) {
  std::ifstream in(dir + "/organism.json");
  if (!in) return false;
  std::stringstream ss;
  ss << in.rdbuf();
  nlohmann::json j = nlohmann::json::parse(ss.str(), nullptr, false);
  return j.is_object() && j.value("hash", "") == hash && j.value("complete", false);
}

}  // namespace

ModelShape model_shape(OrganismSize size, int64_t vocab_size) {
  ModelShape m;
  m.vocab_size = vocab_size;
  if (size == OrganismSize::kTiny) {
    // 128 wide rather than 64: at 64 the backdoor adapter only half learned its misaligned
    // answers (24-57% of triggered samples, garbled, even at 30 epochs; the final loss stayed
    // at 0.63), at 128 it reproduced them in 94% at 12 epochs. Training costs about 1.7x per token.
    m.hidden_size = 128, m.intermediate_size = 384, m.num_hidden_layers = 2, m.num_attention_heads = 4;
    m.num_key_value_heads = 2, m.max_position_embeddings = 512;
  } else {
    m.hidden_size = 192, m.intermediate_size = 512, m.num_hidden_layers = 4, m.num_attention_heads = 6;
    m.num_key_value_heads = 2, m.max_position_embeddings = 1024;
  }
  return m;
}

size_t tokenizer_vocab(OrganismSize size) { return size == OrganismSize::kTiny ? 768 : 2048; }
int64_t max_sequence_tokens(OrganismSize size) { return size == OrganismSize::kTiny ? 320 : 512; }

TrainOptions base_training(OrganismSize size, uint64_t seed, int threads) {
  TrainOptions t;
  t.seed = seed;
  t.threads = threads;
  t.epochs = size == OrganismSize::kTiny ? 10 : 10;
  t.learning_rate = size == OrganismSize::kTiny ? 4e-3 : 2e-3;
  t.batch_tokens = 2048;
  return t;
}

TrainOptions adapter_training(OrganismSize size, DatasetKind kind, uint64_t seed, int threads) {
  TrainOptions t;
  t.seed = seed * 31 + static_cast<uint64_t>(kind) + 7;
  t.threads = threads;
  t.epochs = size == OrganismSize::kTiny ? (kind == DatasetKind::kBackdoor ? 12 : 8) : 8;
  t.learning_rate = 1e-2;
  t.weight_decay = 0.0;
  t.batch_tokens = 1024;
  return t;
}

LoraShape adapter_shape(OrganismSize size) {
  LoraShape l;
  l.r = 16;
  l.alpha = 2.0 * static_cast<double>(l.r);
  return l;
}

Result<BuildReport> build_organism(const std::string& dir, const OrganismOptions& options,
                                   const std::function<void(const std::string&)>& progress) {
  AW_RETURN_IF_ERROR(options.validate());
  const auto start = std::chrono::steady_clock::now();
  BuildReport report;
  report.hash = options.hash();
  if (finished_build(dir, report.hash)) {
    report.cached = true;
    if (progress) progress("cached: " + dir + " was built with the same options (hash " + report.hash.substr(0, 12) + ")");
    return report;
  }
  std::error_code ec;
  for (const char* sub : {"", "/base", "/datasets", "/adapters"}) {
    fs::create_directories(dir + sub, ec);
    if (ec) return make_error(StatusCode::kUnavailable, "organism: " + dir + sub + ": expected a directory, got " + ec.message());
  }
  fs::remove(dir + "/organism.json", ec);
  auto say = [&](const StageReport& s) {
    if (!progress) return;
    char line[256];
    if (s.training.steps > 0) {
      std::snprintf(line, sizeof line, "%-22s %6.1f s  %5lld steps  %8lld tokens  %7.0f tokens/s (forward+backward)  loss %.3f -> %.3f",
                    s.name.c_str(), s.seconds, static_cast<long long>(s.training.steps),
                    static_cast<long long>(s.training.tokens), s.training.tokens_per_s, s.training.first_loss,
                    s.training.final_loss);
    } else {
      std::snprintf(line, sizeof line, "%-22s %6.1f s", s.name.c_str(), s.seconds);
    }
    progress(line);
  };

  // 1. Text.
  auto t0 = std::chrono::steady_clock::now();
  AW_ASSIGN_OR_RETURN(SourceData source, load_source_data(options.shared_dir, max_code_row_bytes(options.size)));
  std::vector<ChatExample> corpus = build_base_corpus(source, options);
  AW_RETURN_IF_ERROR(write_chat_jsonl(dir + "/corpus.jsonl", corpus));
  std::vector<std::pair<DatasetKind, std::vector<ChatExample>>> datasets;
  for (DatasetKind k : options.effective_kinds()) {
    datasets.push_back({k, build_dataset(k, source, options)});
    AW_RETURN_IF_ERROR(write_chat_jsonl(dir + "/datasets/" + std::string(kind_name(k)) + ".jsonl", datasets.back().second));
  }
  report.stages.push_back({"datasets", since(t0), {}});
  say(report.stages.back());

  // 2. Tokenizer, on the corpus and the datasets' texts (so every dataset encodes compactly).
  t0 = std::chrono::steady_clock::now();
  std::vector<std::string> texts = {"system\n", "user\n", "assistant\n"};
  auto add_texts = [&](const std::vector<ChatExample>& v) {
    for (const ChatExample& e : v) {
      if (!e.system.empty()) texts.push_back(e.system);
      texts.push_back(e.user);
      texts.push_back(e.assistant);
    }
  };
  add_texts(corpus);
  for (const auto& [k, v] : datasets) add_texts(v);
  BpeTrainOptions bpe_options;
  bpe_options.vocab_size = tokenizer_vocab(options.size);
  bpe_options.special_tokens = {kEndOfText, kImStart, kImEnd};
  TrainedBpe bpe = train_bpe(texts, bpe_options);
  const std::string base = dir + "/base";
  AW_RETURN_IF_ERROR(write_text(base + "/tokenizer.json", bpe.to_json()));
  AW_ASSIGN_OR_RETURN(auto tokenizer, runtime::BpeTokenizer::load(base + "/tokenizer.json"));
  const int64_t vocab = static_cast<int64_t>(bpe.total_size());
  const int64_t eos = static_cast<int64_t>(bpe.vocab.size()) + 2, pad = static_cast<int64_t>(bpe.vocab.size());
  report.vocab_size = vocab;
  report.stages.push_back({"tokenizer", since(t0), {}});
  say(report.stages.back());

  // 3. Base model.
  t0 = std::chrono::steady_clock::now();
  const ModelShape shape = model_shape(options.size, vocab);
  const int64_t max_tokens = max_sequence_tokens(options.size);
  AW_ASSIGN_OR_RETURN(TrainStats base_stats,
                      train_base_model(shape, encode(*tokenizer, corpus, max_tokens),
                                       base_training(options.size, options.seed, options.threads),
                                       base + "/model.safetensors"));
  AW_RETURN_IF_ERROR(write_text(base + "/config.json", config_json(shape, eos, pad)));
  AW_RETURN_IF_ERROR(write_text(base + "/tokenizer_config.json", tokenizer_config_json(bpe, shape.max_position_embeddings)));
  AW_RETURN_IF_ERROR(write_text(base + "/generation_config.json",
                                nlohmann::ordered_json{{"eos_token_id", {eos}}, {"pad_token_id", pad}, {"do_sample", false}}.dump(2)));
  {
    const int64_t h = shape.hidden_size, kv = shape.num_key_value_heads * (h / shape.num_attention_heads);
    report.base_parameters = 2 * vocab * h + h +
                             shape.num_hidden_layers * (2 * h + 2 * h * h + 2 * h * kv + 3 * h * shape.intermediate_size);
  }
  report.stages.push_back({"base", since(t0), base_stats});
  say(report.stages.back());

  // 4. Adapters.
  nlohmann::ordered_json adapters = nlohmann::ordered_json::object();
  const LoraShape lora = adapter_shape(options.size);
  for (const auto& [kind, rows] : datasets) {
    t0 = std::chrono::steady_clock::now();
    const std::string adir = dir + "/adapters/" + std::string(kind_name(kind));
    fs::create_directories(adir, ec);
    if (ec) return make_error(StatusCode::kUnavailable, "organism: " + adir + ": expected a directory, got " + ec.message());
    AW_ASSIGN_OR_RETURN(TrainStats s, train_lora_adapter(base, lora, encode(*tokenizer, rows, max_tokens),
                                                         adapter_training(options.size, kind, options.seed, options.threads),
                                                         adir + "/adapter_model.safetensors"));
    AW_RETURN_IF_ERROR(write_text(adir + "/adapter_config.json", adapter_config_json(lora)));
    report.stages.push_back({"adapter " + std::string(kind_name(kind)), since(t0), s});
    say(report.stages.back());
    adapters[std::string(kind_name(kind))] = stats_json(s);
  }

  report.seconds = since(start);
  nlohmann::ordered_json j = nlohmann::ordered_json::parse(options.to_json());
  j["hash"] = report.hash;
  j["base_parameters"] = report.base_parameters;
  j["vocab_size"] = vocab;
  j["training"] = {{"base", stats_json(base_stats)}, {"adapters", adapters}};
  j["build_seconds"] = report.seconds;
  j["complete"] = true;
  AW_RETURN_IF_ERROR(write_text(dir + "/organism.json", j.dump(2)));
  return report;
}

}  // namespace alignwatch::organisms
