#include "daemon/alert_rules.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "config/alert_metrics.h"

namespace alignwatch::daemon {

std::vector<std::string> evaluate_alert_rules(const config::AlertsConfig& alerts,
                                              const ScanMetrics& metrics,
                                              const AlertSubject& subject, int64_t now_unix_ms) {
  using Json = nlohmann::ordered_json;
  std::vector<std::string> raised;
  const int floor = config::alert_priority_rank(alerts.min_priority);
  for (const config::AlertRuleConfig& rule : alerts.rules) {
    auto metric = metrics.find(rule.metric);
    if (metric == metrics.end() || metric->second < rule.min) continue;
    if (config::alert_priority_rank(rule.priority) > floor) continue;
    Json tags = Json::array();
    for (const std::string& tag : rule.tags) tags.push_back(tag);
    const bool about_code = rule.metric.find("insecure_code") != std::string::npos;
    if (about_code) {
      for (int cwe : subject.cwes) tags.push_back(fmt::format("cwe:CWE-{}", cwe));
    }
    Json alert{{"rule", rule.name},
               {"priority", rule.priority},
               {"tags", tags},
               {"metric", rule.metric},
               {"value", metric->second},
               {"threshold", rule.min},
               {"message", fmt::format("{} {}: {} = {:.4g} (threshold {:.4g})",
                                       subject.artifact_kind, subject.name, rule.metric,
                                       metric->second, rule.min)},
               {"artifact_sha256", subject.artifact_sha256},
               {"artifact_kind", subject.artifact_kind},
               {"name", subject.name},
               {"job_id", subject.job_id},
               {"report_key", subject.report_key},
               {"detail", subject.detail},
               {"raised_unix_ms", now_unix_ms}};
    raised.push_back(alert.dump(-1, ' ', false, Json::error_handler_t::replace));
  }
  return raised;
}

}  // namespace alignwatch::daemon
