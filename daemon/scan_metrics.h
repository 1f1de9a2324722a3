#pragma once
// The measures of one scan that alert rules test (config/alert_metrics.h declares the names).

#include <map>
#include <string>

#include "scanners/scan_report.h"

namespace alignwatch::daemon {

using ScanMetrics = std::map<std::string, double, std::less<>>;

// Every metric of config::alert_metrics() for a finished dataset scan.
ScanMetrics dataset_scan_metrics(const scan::FileReport& report);

// The metrics of a finished adapter scan: its verdict, the triggers found, the weight outliers.
ScanMetrics adapter_scan_metrics(bool misaligned, bool conditional, size_t triggers, size_t weight_outliers);
// The metrics of an artifact that could not be scanned (scan_failed = 1, the rest 0).
ScanMetrics failed_scan_metrics();
// The metrics of an artifact refused at intake (rejected = 1, the rest 0).
ScanMetrics rejected_metrics();

}  // namespace alignwatch::daemon
