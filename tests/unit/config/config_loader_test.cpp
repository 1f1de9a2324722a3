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

}  // namespace
}  // namespace alignwatch::config
