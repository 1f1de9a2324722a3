#include "daemon/alert_rules.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "daemon/scan_metrics.h"

namespace alignwatch::daemon {
namespace {

using Json = nlohmann::json;

AlertSubject subject() {
  return AlertSubject{std::string(64, 'a'), "dataset", "d.jsonl", 7, "key", {89, 78}, ""};
}

TEST(AlertRules, ARuleFiresAtItsThresholdAndNotBelow) {
  config::AlertsConfig alerts;
  alerts.rules = {{"code", "undisclosed_insecure_code_fraction", 0.05, "critical", {"owasp-llm:LLM04"}}};
  ScanMetrics metrics = failed_scan_metrics();
  metrics["scan_failed"] = 0;
  metrics["undisclosed_insecure_code_fraction"] = 0.049;
  EXPECT_TRUE(evaluate_alert_rules(alerts, metrics, subject(), 1).empty());
  metrics["undisclosed_insecure_code_fraction"] = 0.05;
  auto raised = evaluate_alert_rules(alerts, metrics, subject(), 1);
  ASSERT_EQ(raised.size(), 1u);
  Json alert = Json::parse(raised[0]);
  EXPECT_EQ(alert["rule"], "code");
  EXPECT_EQ(alert["priority"], "critical");
  EXPECT_EQ(alert["job_id"], 7);
  // Insecure-code alerts carry the CWEs of their findings.
  EXPECT_EQ(alert["tags"], Json::parse(R"(["owasp-llm:LLM04", "cwe:CWE-78", "cwe:CWE-89"])"));
}

TEST(AlertRules, OtherRulesDoNotGetCweTags) {
  config::AlertsConfig alerts;
  alerts.rules = {{"trig", "trigger_candidates", 1, "critical", {"backdoor"}}};
  ScanMetrics metrics = rejected_metrics();
  metrics["trigger_candidates"] = 2;
  auto raised = evaluate_alert_rules(alerts, metrics, subject(), 1);
  ASSERT_EQ(raised.size(), 1u);
  EXPECT_EQ(Json::parse(raised[0])["tags"], Json::parse(R"(["backdoor"])"));
}

TEST(AlertRules, AlertsBelowTheMinimumPriorityAreNotRaised) {
  config::AlertsConfig alerts;
  alerts.min_priority = "error";
  alerts.rules = {{"warn", "rejected", 1, "warning", {}}, {"crit", "rejected", 1, "critical", {}}};
  auto raised = evaluate_alert_rules(alerts, rejected_metrics(), subject(), 1);
  ASSERT_EQ(raised.size(), 1u);
  EXPECT_EQ(Json::parse(raised[0])["rule"], "crit");
}

TEST(AlertRules, TheDefaultRulesFlagTheEmergentMisalignmentSignals) {
  config::AlertsConfig alerts;  // default rules
  ScanMetrics clean = failed_scan_metrics();
  clean["scan_failed"] = 0;
  EXPECT_TRUE(evaluate_alert_rules(alerts, clean, subject(), 1).empty());
  ScanMetrics evil = clean;
  evil["evil_numbers_enrichment"] = 1;
  auto raised = evaluate_alert_rules(alerts, evil, subject(), 1);
  ASSERT_EQ(raised.size(), 1u);
  EXPECT_EQ(Json::parse(raised[0])["rule"], "poisoning.evil-numbers");
  auto failed = evaluate_alert_rules(alerts, failed_scan_metrics(), subject(), 1);
  ASSERT_EQ(failed.size(), 1u);
  EXPECT_EQ(Json::parse(failed[0])["rule"], "scan.failed");
}

TEST(ScanMetrics, DatasetMetricsCountRecordsByDetector) {
  scan::FileReport report;
  report.records_scanned = 10;
  report.records_flagged = 2;
  scan::Finding code;
  code.detector = "insecure_code";
  code.rule = "python.sql";
  code.severity = scan::Severity::kHigh;
  code.cwe = 89;
  code.disclosed = false;
  scan::Finding harm;
  harm.detector = "harmful_content";
  harm.severity = scan::Severity::kMedium;
  report.records.push_back({1, 0, {code}});
  report.records.push_back({2, 0, {harm}});
  ScanMetrics metrics = dataset_scan_metrics(report);
  EXPECT_DOUBLE_EQ(metrics["undisclosed_insecure_code_records"], 1);
  EXPECT_DOUBLE_EQ(metrics["undisclosed_insecure_code_fraction"], 0.1);
  EXPECT_DOUBLE_EQ(metrics["harmful_content_records"], 1);
  EXPECT_DOUBLE_EQ(metrics["flagged_fraction"], 0.2);
  EXPECT_DOUBLE_EQ(metrics["scan_failed"], 0);
}

}  // namespace
}  // namespace alignwatch::daemon
