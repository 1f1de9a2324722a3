// The libtorch runtime against reference logits from scripts/make_runtime_fixtures.py (the
// transformers Llama/Qwen2 math and peft's LoRA formula, in Debian's python3-torch).

#include "runtime/llama_model.h"

#include <gtest/gtest.h>

#include <c10/core/InferenceMode.h>

#include "runtime/generator.h"
#include "runtime/scorer.h"
#include "tests/unit/runtime/test_files.h"

namespace alignwatch::runtime {
namespace {

using testing::source_path;

constexpr double kTolerance = 1e-4;  // max |logit difference|, float32 both sides

std::string fixture(const std::string& name) { return source_path("tests/data/runtime/" + name); }

struct Loaded {
  ModelConfig config;
  std::unique_ptr<LlamaModel> model;
};

Loaded load(const std::string& name) {
  Loaded l;
  auto c = load_model_config(fixture(name));
  EXPECT_TRUE(c.has_value()) << c.error().to_string();
  l.config = *c;
  auto w = ModelWeights::open_dir(fixture(name));
  EXPECT_TRUE(w.has_value()) << w.error().to_string();
  auto m = LlamaModel::create(l.config, std::shared_ptr<const ModelWeights>(std::move(*w)));
  EXPECT_TRUE(m.has_value()) << m.error().to_string();
  l.model = std::move(*m);
  return l;
}

class LlamaModelTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto r = ModelWeights::open_file(fixture("reference.safetensors"));
    ASSERT_TRUE(r.has_value()) << r.error().to_string();
    ref_ = std::move(*r);
  }
  at::Tensor ref(const std::string& name) {
    auto t = ref_->get(name);
    EXPECT_TRUE(t.has_value()) << name;
    return *t;
  }
  at::Tensor ids(const std::string& name) { return ref(name).to(at::kLong); }
  std::vector<TokenId> id_vector(const std::string& name) {
    at::Tensor t = ids(name).contiguous();
    return std::vector<TokenId>(t.data_ptr<int64_t>(), t.data_ptr<int64_t>() + t.numel());
  }
  at::Tensor logits(const LlamaModel& m, const at::Tensor& ids, const LoraAdapter* adapter = nullptr) {
    c10::InferenceMode guard;
    ForwardRequest r;
    r.ids = ids;
    r.positions = at::arange(ids.size(1), at::kLong).unsqueeze(0).expand_as(ids);
    r.key_valid = at::ones(ids.sizes(), at::kBool);
    r.adapter = adapter;
    auto out = m.forward(r);
    EXPECT_TRUE(out.has_value()) << out.error().to_string();
    return out ? out->logits : at::Tensor();
  }
  static double max_diff(const at::Tensor& a, const at::Tensor& b) { return (a - b).abs().max().item<double>(); }
  std::unique_ptr<LoraAdapter> adapter(const std::string& dir, const ModelConfig& base, const std::string& base_name,
                                       LoraLoadOptions opt = {}) {
    auto a = LoraAdapter::load(fixture(dir), base, base_name, opt);
    EXPECT_TRUE(a.has_value()) << a.error().to_string();
    return a ? std::move(*a) : nullptr;
  }
  std::unique_ptr<ModelWeights> ref_;
};

TEST_F(LlamaModelTest, LlamaLogitsMatchReference) {
  Loaded l = load("tiny_llama");
  ASSERT_TRUE(l.model);
  double d = max_diff(logits(*l.model, ids("llama.ids_a")), ref("llama.logits_a"));
  EXPECT_LT(d, kTolerance);
  EXPECT_LT(max_diff(logits(*l.model, ids("llama.ids_b")), ref("llama.logits_b")), kTolerance);
  std::printf("tiny_llama: max |logit - reference| = %.3g\n", d);
}

TEST_F(LlamaModelTest, Qwen2Bf16BiasesTiedEmbeddingsMatchReference) {
  Loaded l = load("tiny_qwen2");
  ASSERT_TRUE(l.model);
  double d = max_diff(logits(*l.model, ids("llama.ids_a")), ref("qwen2.logits_a"));
  EXPECT_LT(d, kTolerance);
  std::printf("tiny_qwen2: max |logit - reference| = %.3g\n", d);
}

TEST_F(LlamaModelTest, LoraUnmergedAndMergedMatchReference) {
  Loaded l = load("tiny_llama");
  ASSERT_TRUE(l.model);
  auto a = adapter("tiny_llama_lora", l.config, l.config.name_or_path);
  ASSERT_TRUE(a);
  EXPECT_EQ(a->pair_count(), 14u);
  EXPECT_DOUBLE_EQ(a->scaling(), 2.0);
  at::Tensor base = logits(*l.model, ids("llama.ids_a"));
  at::Tensor with = logits(*l.model, ids("llama.ids_a"), a.get());
  double d = max_diff(with, ref("llama.lora_logits_a"));
  EXPECT_LT(d, kTolerance);
  EXPECT_GT(max_diff(with, base), 0.1);  // the adapter changes the model...
  EXPECT_LT(max_diff(logits(*l.model, ids("llama.ids_a")), ref("llama.logits_a")), kTolerance);  // ...not the base
  auto merged = l.model->merged(*a);
  ASSERT_TRUE(merged.has_value());
  EXPECT_LT(max_diff(logits(**merged, ids("llama.ids_a")), ref("llama.lora_logits_a")), kTolerance);
  std::printf("tiny_llama + LoRA: max |logit - reference| = %.3g\n", d);

  Loaded q = load("tiny_qwen2");
  auto qa = adapter("tiny_qwen2_lora", q.config, q.config.name_or_path);
  ASSERT_TRUE(qa);
  EXPECT_NEAR(qa->scaling(), 4.0 / std::sqrt(8.0), 1e-12);  // rsLoRA: alpha / sqrt(r)
  double dq = max_diff(logits(*q.model, ids("llama.ids_a"), qa.get()), ref("qwen2.lora_logits_a"));
  EXPECT_LT(dq, kTolerance);
  std::printf("tiny_qwen2 + rsLoRA: max |logit - reference| = %.3g\n", dq);
}

TEST_F(LlamaModelTest, AdapterForAnotherBaseIsRefused) {
  Loaded l = load("tiny_llama");
  auto by_name = LoraAdapter::load(fixture("tiny_qwen2_lora"), l.config, l.config.name_or_path);
  ASSERT_FALSE(by_name.has_value());
  EXPECT_NE(by_name.error().message().find("base_model_name_or_path: expected 'tiny_llama'"), std::string::npos)
      << by_name.error().message();
  auto by_shape = LoraAdapter::load(fixture("tiny_qwen2_lora"), l.config, l.config.name_or_path, {.ignore_base_name = true});
  ASSERT_FALSE(by_shape.has_value());
  EXPECT_EQ(by_shape.error().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(by_shape.error().message().find(
                "adapter tensor 'base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight'"),
            std::string::npos)
      << by_shape.error().message();
  EXPECT_NE(by_shape.error().message().find("expected [8, 32], got [8, 48] (wrong base model?)"), std::string::npos)
      << by_shape.error().message();
}

TEST_F(LlamaModelTest, UnpairedAndUntargetedAdapterTensors) {
  Loaded l = load("tiny_llama");
  testing::TempDir dir;
  testing::write_file(dir.file("adapter_config.json"),
                      R"({"peft_type":"LORA","r":1,"lora_alpha":1,"target_modules":["q_proj"]})");
  std::vector<float> a(32, 0.5f);
  std::string header = R"({"base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight":)"
                       R"({"dtype":"F32","shape":[1,32],"data_offsets":[0,128]}})";
  testing::write_file(dir.file("adapter_model.safetensors"), testing::safetensors_bytes(header, testing::f32_bytes(a)));
  auto unpaired = LoraAdapter::load(dir.path(), l.config, "");
  ASSERT_FALSE(unpaired.has_value());
  EXPECT_EQ(unpaired.error().code(), StatusCode::kCorruption);
  EXPECT_NE(unpaired.error().message().find("expected its lora_B partner"), std::string::npos);
  testing::write_file(dir.file("adapter_config.json"),
                      R"({"peft_type":"LORA","r":1,"lora_alpha":1,"target_modules":["v_proj"]})");
  auto untargeted = LoraAdapter::load(dir.path(), l.config, "");
  ASSERT_FALSE(untargeted.has_value());
  EXPECT_NE(untargeted.error().message().find("not in the config's target_modules"), std::string::npos);
  testing::write_file(dir.file("adapter_config.json"),
                      R"({"peft_type":"LORA","r":1,"lora_alpha":1,"target_modules":["q_proj"],"use_dora":true})");
  auto dora = LoraAdapter::load(dir.path(), l.config, "");
  ASSERT_FALSE(dora.has_value());
  EXPECT_EQ(dora.error().code(), StatusCode::kUnsupported);
}

TEST_F(LlamaModelTest, BatchedScoringWithPaddingMatchesReference) {
  Loaded l = load("tiny_llama");
  std::vector<TokenId> a0 = id_vector("llama.ids_a");  // two rows of 9
  std::vector<TokenId> row0(a0.begin(), a0.begin() + 9), row1(a0.begin() + 9, a0.end());
  std::vector<TokenId> b = id_vector("llama.ids_b");  // 5
  std::vector<ScoreRequest> reqs = {
      {{row0.begin(), row0.begin() + 3}, {row0.begin() + 3, row0.end()}},
      {{b.begin(), b.begin() + 2}, {b.begin() + 2, b.end()}},  // shorter: padded in the batch
      {{row1.begin(), row1.begin() + 8}, {row1.begin() + 8, row1.end()}},
  };
  auto batched = score(*l.model, reqs, nullptr);
  ASSERT_TRUE(batched.has_value()) << batched.error().to_string();
  at::Tensor la = at::log_softmax(ref("llama.logits_a"), -1), lb = at::log_softmax(ref("llama.logits_b"), -1);
  auto expect = [&](const ScoreResult& r, const at::Tensor& lp, int64_t row, const std::vector<TokenId>& seq, size_t p) {
    ASSERT_EQ(r.logprobs.size(), seq.size() - p);
    double total = 0;
    for (size_t j = 0; j < r.logprobs.size(); ++j) {
      double want = lp[row][static_cast<int64_t>(p + j - 1)][seq[p + j]].item<double>();
      EXPECT_NEAR(r.logprobs[j], want, kTolerance);
      total += want;
    }
    EXPECT_NEAR(r.total, total, 1e-3);
  };
  expect((*batched)[0], la, 0, row0, 3);
  expect((*batched)[1], lb, 0, b, 2);
  expect((*batched)[2], la, 1, row1, 8);
  // One at a time (no padding at all) gives the same numbers.
  auto alone = score(*l.model, {reqs[1]}, nullptr, {.max_batch_tokens = 1});
  ASSERT_TRUE(alone.has_value());
  for (size_t j = 0; j < alone->at(0).logprobs.size(); ++j) {
    EXPECT_NEAR(alone->at(0).logprobs[j], (*batched)[1].logprobs[j], 1e-5);
  }
  auto budget = score(*l.model, reqs, nullptr, {.max_batch_tokens = 8192, .budget = {.max_tokens = 5}});
  ASSERT_FALSE(budget.has_value());
  EXPECT_EQ(budget.error().code(), StatusCode::kResourceExhausted);
  EXPECT_FALSE(score(*l.model, {{{}, {1}}}, nullptr).has_value());
}

TEST_F(LlamaModelTest, GreedyGenerationWithKvCacheMatchesReference) {
  Loaded l = load("tiny_llama");
  std::vector<TokenId> prompt = id_vector("prompt");
  std::vector<TokenId> want = id_vector("llama.greedy");
  GenerateOptions o;
  o.max_new_tokens = 10;
  // Batched with a longer prompt, so this one is left-padded.
  std::vector<TokenId> longer = id_vector("llama.ids_a");
  auto r = generate(*l.model, {prompt, longer}, nullptr, nullptr, o);
  ASSERT_TRUE(r.has_value()) << r.error().to_string();
  EXPECT_EQ((*r)[0].tokens, want);
  EXPECT_EQ((*r)[0].stop, StopReason::kMaxTokens);
  auto alone = generate(*l.model, {longer}, nullptr, nullptr, o);
  ASSERT_TRUE(alone.has_value());
  EXPECT_EQ((*alone)[0].tokens, (*r)[1].tokens);

  auto a = adapter("tiny_llama_lora", l.config, l.config.name_or_path);
  auto with = generate(*l.model, {prompt}, a.get(), nullptr, o);
  ASSERT_TRUE(with.has_value());
  EXPECT_EQ((*with)[0].tokens, id_vector("llama.lora_greedy"));

  Loaded q = load("tiny_qwen2");
  auto qr = generate(*q.model, {prompt}, nullptr, nullptr, o);
  ASSERT_TRUE(qr.has_value());
  EXPECT_EQ((*qr)[0].tokens, id_vector("qwen2.greedy"));

  // EOS: the reference's 4th token ends generation where it first appears.
  o.eos_ids = {want[3]};
  const size_t first = static_cast<size_t>(std::find(want.begin(), want.end(), want[3]) - want.begin());
  auto eos = generate(*l.model, {prompt}, nullptr, nullptr, o);
  ASSERT_TRUE(eos.has_value());
  EXPECT_EQ((*eos)[0].stop, StopReason::kEos);
  EXPECT_EQ((*eos)[0].tokens, std::vector<TokenId>(want.begin(), want.begin() + first));
}

TEST_F(LlamaModelTest, SeededSamplingIsReproducible) {
  Loaded l = load("tiny_llama");
  std::vector<TokenId> prompt = id_vector("prompt");
  GenerateOptions o;
  o.max_new_tokens = 12;
  o.temperature = 1.5;
  o.top_p = 0.95;
  o.seed = 7;
  auto a = generate(*l.model, {prompt, prompt}, nullptr, nullptr, o);
  auto b = generate(*l.model, {prompt, prompt}, nullptr, nullptr, o);
  ASSERT_TRUE(a.has_value() && b.has_value());
  EXPECT_EQ((*a)[0].tokens, (*b)[0].tokens);
  EXPECT_EQ((*a)[1].tokens, (*b)[1].tokens);
  EXPECT_NE((*a)[0].tokens, (*a)[1].tokens);  // two draws from one RNG stream
  o.seed = 8;
  auto c = generate(*l.model, {prompt, prompt}, nullptr, nullptr, o);
  ASSERT_TRUE(c.has_value());
  EXPECT_NE((*c)[0].tokens, (*a)[0].tokens);
  o.budget.max_tokens = 8;
  auto cut = generate(*l.model, {prompt}, nullptr, nullptr, o);
  ASSERT_TRUE(cut.has_value());
  EXPECT_EQ((*cut)[0].stop, StopReason::kBudget);
  EXPECT_LT((*cut)[0].tokens.size(), 12u);
}

TEST_F(LlamaModelTest, WeightsThatDisagreeWithConfigAreRefused) {
  Loaded l = load("tiny_llama");
  ModelConfig wrong = l.config;
  wrong.hidden_size = 64;
  auto w = ModelWeights::open_dir(fixture("tiny_llama"));
  ASSERT_TRUE(w.has_value());
  auto m = LlamaModel::create(wrong, std::shared_ptr<const ModelWeights>(std::move(*w)));
  ASSERT_FALSE(m.has_value());
  EXPECT_NE(m.error().message().find("model tensor 'model.embed_tokens.weight': expected [288, 64], got [288, 32]"),
            std::string::npos)
      << m.error().message();
  auto none = ModelWeights::open_dir(fixture("tiny_llama_lora"));
  ASSERT_FALSE(none.has_value());
  EXPECT_EQ(none.error().code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace alignwatch::runtime
