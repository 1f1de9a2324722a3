#include "runtime/model_config.h"

#include <gtest/gtest.h>

namespace alignwatch::runtime {
namespace {

TEST(ModelConfigTest, Llama3WithRopeScaling) {
  auto c = parse_model_config(R"({
    "architectures": ["LlamaForCausalLM"], "model_type": "llama", "vocab_size": 128256,
    "hidden_size": 4096, "intermediate_size": 14336, "num_hidden_layers": 32,
    "num_attention_heads": 32, "num_key_value_heads": 8, "rope_theta": 500000.0,
    "rms_norm_eps": 1e-05, "tie_word_embeddings": false, "bos_token_id": 128000,
    "eos_token_id": [128001, 128008, 128009],
    "rope_scaling": {"factor": 8.0, "low_freq_factor": 1.0, "high_freq_factor": 4.0,
                     "original_max_position_embeddings": 8192, "rope_type": "llama3"}})",
                              "config.json");
  ASSERT_TRUE(c.has_value()) << c.error().to_string();
  EXPECT_EQ(c->architecture, Architecture::kLlama);
  EXPECT_EQ(c->head_dim, 128);
  EXPECT_EQ(c->num_key_value_heads, 8);
  EXPECT_EQ(c->rope_theta, 500000.0);
  EXPECT_EQ(c->rope_scaling.type, "llama3");
  EXPECT_EQ(c->rope_scaling.factor, 8.0);
  EXPECT_EQ(c->eos_token_ids, (std::vector<int64_t>{128001, 128008, 128009}));
  EXPECT_FALSE(c->attention_bias);
  // Llama 3 8B: 8.03 billion parameters.
  EXPECT_NEAR(static_cast<double>(c->parameter_count()), 8.03e9, 0.01e9);
}

TEST(ModelConfigTest, Qwen2HasAttentionBiasAndTiedEmbeddings) {
  auto c = parse_model_config(R"({"architectures": ["Qwen2ForCausalLM"], "vocab_size": 151936,
    "hidden_size": 896, "intermediate_size": 4864, "num_hidden_layers": 24,
    "num_attention_heads": 14, "num_key_value_heads": 2, "rope_theta": 1000000.0,
    "rms_norm_eps": 1e-06, "tie_word_embeddings": true, "eos_token_id": 151643})",
                              "config.json");
  ASSERT_TRUE(c.has_value()) << c.error().to_string();
  EXPECT_TRUE(c->attention_bias);
  EXPECT_TRUE(c->tie_word_embeddings);
  EXPECT_EQ(c->head_dim, 64);
  // Qwen2.5-0.5B: 494 million parameters.
  EXPECT_NEAR(static_cast<double>(c->parameter_count()), 494e6, 1e6);
}

TEST(ModelConfigTest, MistralSlidingWindow) {
  auto c = parse_model_config(R"({"architectures": ["MistralForCausalLM"], "vocab_size": 32000, "hidden_size": 4096,
    "intermediate_size": 14336, "num_hidden_layers": 32, "num_attention_heads": 32, "num_key_value_heads": 8,
    "sliding_window": 4096, "rope_theta": 10000.0})",
                              "config.json");
  ASSERT_TRUE(c.has_value()) << c.error().to_string();
  EXPECT_EQ(c->sliding_window, 4096);
  auto q = parse_model_config(R"({"architectures": ["Qwen2ForCausalLM"], "vocab_size": 10, "hidden_size": 64,
    "intermediate_size": 128, "num_hidden_layers": 2, "num_attention_heads": 4, "sliding_window": 32,
    "use_sliding_window": false})",
                              "config.json");
  ASSERT_TRUE(q.has_value());
  EXPECT_EQ(q->sliding_window, 0);
}

TEST(ModelConfigTest, RefusesOtherArchitecturesByName) {
  auto c = parse_model_config(R"({"architectures": ["GPT2LMHeadModel"], "vocab_size": 50257})", "cfg.json");
  ASSERT_FALSE(c.has_value());
  EXPECT_EQ(c.error().code(), StatusCode::kUnsupported);
  EXPECT_NE(c.error().message().find("got 'GPT2LMHeadModel'"), std::string::npos) << c.error().message();
}

TEST(ModelConfigTest, BadFieldsNameTheField) {
  auto missing = parse_model_config(R"({"architectures": ["MistralForCausalLM"], "vocab_size": 10})", "c.json");
  ASSERT_FALSE(missing.has_value());
  EXPECT_NE(missing.error().message().find("field 'hidden_size'"), std::string::npos) << missing.error().message();
  auto wrong_type = parse_model_config(R"({"architectures": ["LlamaForCausalLM"], "vocab_size": "10"})", "c.json");
  ASSERT_FALSE(wrong_type.has_value());
  EXPECT_NE(wrong_type.error().message().find("field 'vocab_size': c.json: expected an integer, got string"),
            std::string::npos)
      << wrong_type.error().message();
  auto gqa = parse_model_config(R"({"architectures": ["LlamaForCausalLM"], "vocab_size": 10, "hidden_size": 64,
    "intermediate_size": 128, "num_hidden_layers": 2, "num_attention_heads": 4, "num_key_value_heads": 3})",
                                "c.json");
  ASSERT_FALSE(gqa.has_value());
  EXPECT_NE(gqa.error().message().find("expected a divisor of num_attention_heads 4"), std::string::npos);
  auto rope = parse_model_config(R"({"architectures": ["LlamaForCausalLM"], "vocab_size": 10, "hidden_size": 64,
    "intermediate_size": 128, "num_hidden_layers": 2, "num_attention_heads": 4,
    "rope_scaling": {"type": "yarn", "factor": 4}})",
                                 "c.json");
  ASSERT_FALSE(rope.has_value());
  EXPECT_EQ(rope.error().code(), StatusCode::kUnsupported);
  EXPECT_FALSE(parse_model_config("[1,2]", "c.json").has_value());
  EXPECT_FALSE(parse_model_config("{", "c.json").has_value());
}

}  // namespace
}  // namespace alignwatch::runtime
