#include "config/config_loader.h"

#include <gtest/gtest.h>

#include "config/options.h"

namespace alignwatch::config {
namespace {

TEST(ConfigLoader, EmptyConfigKeepsDefaults) {
  auto c = load_config_string("", "a.yaml");
  ASSERT_TRUE(c) << c.error().to_string();
  EXPECT_EQ(c->scan.max_record_bytes, Config{}.scan.max_record_bytes);
  EXPECT_TRUE(c->detectors.trigger_mining.enabled);
}

TEST(ConfigLoader, SetsNestedOptions) {
  auto c = load_config_string(
      "scan:\n  max_records: 50\ndetectors:\n  trigger_mining:\n    fdr: 0.05\n    enabled: false\n",
      "a.yaml");
  ASSERT_TRUE(c) << c.error().to_string();
  EXPECT_EQ(c->scan.max_records, 50u);
  EXPECT_DOUBLE_EQ(c->detectors.trigger_mining.fdr, 0.05);
  EXPECT_FALSE(c->detectors.trigger_mining.enabled);
}

TEST(ConfigLoader, UnknownKeyNamesFileLineColumn) {
  auto c = load_config_string("scan:\n  max_records: 5\n  max_recrods: 7\n", "conf.yaml");
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(c.error().location().file, "conf.yaml");
  EXPECT_EQ(c.error().location().line, 3u);
  EXPECT_EQ(c.error().location().column, 3u);
  EXPECT_NE(c.error().message().find("scan.max_recrods"), std::string::npos);
}

TEST(ConfigLoader, WrongTypeAndOutOfRange) {
  auto c = load_config_string("detectors:\n  trigger_mining:\n    fdr: lots\n", "c.yaml");
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().location().line, 3u);
  EXPECT_NE(c.error().message().find("expected a number"), std::string::npos);
  c = load_config_string("detectors:\n  trigger_mining:\n    fdr: 2\n", "c.yaml");
  ASSERT_FALSE(c);
  EXPECT_NE(c.error().message().find("expected a value in [0, 1]"), std::string::npos);
  c = load_config_string("scan:\n  max_records: -3\n", "c.yaml");
  ASSERT_FALSE(c);
}

TEST(ConfigLoader, SyntaxErrorHasLocation) {
  auto c = load_config_string("scan:\n  max_records: [1,\n", "bad.yaml");
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().location().file, "bad.yaml");
  EXPECT_GT(c.error().location().line, 0u);
}

TEST(ConfigLoader, SampleConfigLoadsBackToDefaults) {
  std::string sample = sample_config();
  EXPECT_NE(sample.find("# Benjamini-Hochberg"), std::string::npos);
  auto c = load_config_string(sample, "sample.yaml");
  ASSERT_TRUE(c) << c.error().to_string();
  for (const auto& spec : option_specs()) {
    EXPECT_EQ(option_value_text(spec, *c), option_value_text(spec, Config{})) << spec.path;
  }
}

TEST(ConfigLoader, LlmJudgeSection) {
  auto c = load_config_string(
      "adapters:\n  llm_judge:\n    enabled: true\n    url: https://judge.example.com/v1\n    model: m\n"
      "    api_key_env: OPENAI_API_KEY\n    aligned_threshold: 25\n    max_concurrency: 8\n",
      "j.yaml");
  ASSERT_TRUE(c) << c.error().to_string();
  EXPECT_TRUE(c->adapters.llm_judge.enabled);
  EXPECT_EQ(c->adapters.llm_judge.url, "https://judge.example.com/v1");
  EXPECT_EQ(c->adapters.llm_judge.api_key_env, "OPENAI_API_KEY");
  EXPECT_DOUBLE_EQ(c->adapters.llm_judge.aligned_threshold, 25);
  EXPECT_DOUBLE_EQ(c->adapters.llm_judge.coherent_threshold, 50);  // the paper's default
  EXPECT_EQ(c->adapters.llm_judge.max_concurrency, 8u);
  EXPECT_FALSE(Config{}.adapters.llm_judge.enabled);  // off unless asked for
}

TEST(ConfigLoader, LlmJudgeSettingsAreValidated) {
  // Enabled without a URL: the error points at the section.
  auto c = load_config_string("adapters:\n  llm_judge:\n    enabled: true\n", "j.yaml");
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(c.error().message().find("option 'adapters.llm_judge.url': expected an https:// URL"), std::string::npos)
      << c.error().message();
  EXPECT_EQ(c.error().location().line, 2u);
  // A URL that is not one: the error points at it.
  c = load_config_string("adapters:\n  llm_judge:\n    enabled: true\n    url: judge.example.com\n", "j.yaml");
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().location().line, 4u);
  EXPECT_NE(c.error().message().find("got 'judge.example.com'"), std::string::npos);
  c = load_config_string("adapters:\n  llm_judge:\n    enabled: true\n    url: https://x\n    model: ''\n", "j.yaml");
  ASSERT_FALSE(c);
  EXPECT_NE(c.error().message().find("adapters.llm_judge.model"), std::string::npos);
  c = load_config_string("adapters:\n  llm_judge:\n    api_key_file: /k\n    api_key_env: K\n", "j.yaml");
  ASSERT_FALSE(c);
  EXPECT_NE(c.error().message().find("one source of the API key"), std::string::npos);
  EXPECT_EQ(c.error().location().line, 4u);
  c = load_config_string("adapters:\n  llm_judge:\n    coherent_threshold: 150\n", "j.yaml");
  ASSERT_FALSE(c);
  EXPECT_NE(c.error().message().find("expected a value in [0, 100]"), std::string::npos);
  c = load_config_string("adapters:\n  llm_judge:\n    max_concurrency: 0\n", "j.yaml");
  ASSERT_FALSE(c);
  // Disabled, an empty URL is fine.
  EXPECT_TRUE(load_config_string("adapters:\n  llm_judge:\n    enabled: false\n", "j.yaml"));
}

}  // namespace
}  // namespace alignwatch::config
