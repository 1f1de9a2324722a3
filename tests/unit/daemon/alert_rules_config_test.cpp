#include <gtest/gtest.h>

#include "config/config_loader.h"
#include "config/options.h"

namespace alignwatch::config {
namespace {

TEST(AlertRulesConfig, RulesAreReadFromYaml) {
  auto config = load_config_string(R"(
alerts:
  rules:
    - {name: many-flags, metric: flagged_fraction, min: 0.5, priority: error, tags: [a, b]}
)",
                                   "test.yaml");
  ASSERT_TRUE(config.has_value()) << config.error().to_string();
  ASSERT_EQ(config->alerts.rules.size(), 1u);
  EXPECT_EQ(config->alerts.rules[0].name, "many-flags");
  EXPECT_DOUBLE_EQ(config->alerts.rules[0].min, 0.5);
  EXPECT_EQ(config->alerts.rules[0].tags, (std::vector<std::string>{"a", "b"}));
}

TEST(AlertRulesConfig, AnUnknownMetricIsAnErrorWithItsLocation) {
  auto config = load_config_string("alerts:\n  rules:\n    - {name: x, metric: nope}\n", "test.yaml");
  ASSERT_FALSE(config.has_value());
  EXPECT_NE(config.error().to_string().find("test.yaml:3"), std::string::npos) << config.error().to_string();
  EXPECT_NE(config.error().message().find("'nope'"), std::string::npos);
}

TEST(AlertRulesConfig, BadPrioritiesAndFieldsAreErrors) {
  EXPECT_FALSE(load_config_string("alerts:\n  rules:\n    - {name: x, metric: rejected, priority: loud}\n", "t"));
  EXPECT_FALSE(load_config_string("alerts:\n  rules:\n    - {name: x, metric: rejected, colour: red}\n", "t"));
  EXPECT_FALSE(load_config_string("alerts:\n  rules:\n    - {metric: rejected}\n", "t"));
  EXPECT_FALSE(load_config_string("alerts:\n  rules: 3\n", "t"));
  EXPECT_FALSE(load_config_string("alerts:\n  min_priority: loud\n", "t"));
}

TEST(AlertRulesConfig, TheSampleConfigLoadsBackToTheDefaults) {
  auto config = load_config_string(sample_config(), "sample.yaml");
  ASSERT_TRUE(config.has_value()) << config.error().to_string();
  EXPECT_EQ(config->alerts.rules, default_alert_rules());
  EXPECT_EQ(config->daemon.workers, DaemonConfig{}.workers);
  EXPECT_EQ(config->daemon.state_dir, DaemonConfig{}.state_dir);
}

}  // namespace
}  // namespace alignwatch::config
