#pragma once
// The scan measures an alert rule can test, declared once so that the config loader can refuse
// an unknown metric with its location and the daemon computes exactly these.

#include <span>
#include <string_view>

namespace alignwatch::config {

struct AlertMetricSpec {
  std::string_view name;
  std::string_view description;
};

// Every metric, in documentation order.
std::span<const AlertMetricSpec> alert_metrics();
bool is_alert_metric(std::string_view name);

// Alert priorities, most severe first (syslog's and Falco's names).
std::span<const std::string_view> alert_priorities();
// 0 for "emergency" ... 7 for "debug"; -1 for an unknown name.
int alert_priority_rank(std::string_view name);

}  // namespace alignwatch::config
