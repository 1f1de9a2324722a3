#pragma once
// Turns a scan's metrics into alerts: every configured rule whose metric reaches its threshold
// and whose priority is at least alerts.min_priority raises one alert.

#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "config/config.h"
#include "daemon/scan_metrics.h"

namespace alignwatch::daemon {

// What an alert is about.
struct AlertSubject {
  std::string artifact_sha256;
  std::string artifact_kind;  // "dataset", "adapter"
  std::string name;           // the submitted name
  uint64_t job_id = 0;        // 0 for intake rejections
  std::string report_key;     // the report's key in the store, when there is one
  std::set<int> cwes;         // CWEs of the insecure-code findings, for tags
  std::string detail;         // e.g. the failure or rejection reason
};

// The alerts (JSON objects, ready to store) that `rules` raise for `metrics`.
std::vector<std::string> evaluate_alert_rules(const config::AlertsConfig& alerts,
                                              const ScanMetrics& metrics,
                                              const AlertSubject& subject, int64_t now_unix_ms);

}  // namespace alignwatch::daemon
