#include "daemon/scan_metrics.h"

#include "config/alert_metrics.h"
#include "report/report_summary.h"

namespace alignwatch::daemon {

namespace {

ScanMetrics zeros() {
  ScanMetrics metrics;
  for (const auto& spec : config::alert_metrics()) metrics[std::string(spec.name)] = 0;
  return metrics;
}

}  // namespace

ScanMetrics dataset_scan_metrics(const scan::FileReport& report) {
  ScanMetrics metrics = zeros();
  const report::ReportSummary summary = report::summarize(report);
  const double rows = summary.records_scanned > 0 ? static_cast<double>(summary.records_scanned) : 1;
  uint64_t harmful = 0, evil = 0;
  for (const auto& record : report.records) {
    bool has_harmful = false, has_evil = false;
    for (const auto& finding : record.findings) {
      if (finding.severity <= scan::Severity::kInfo) continue;
      has_harmful |= finding.detector == "harmful_content";
      has_evil |= finding.detector == "evil_numbers";
    }
    harmful += has_harmful;
    evil += has_evil;
  }
  bool enrichment = false;
  for (const auto& finding : report.dataset_findings) {
    enrichment |= finding.detector == "evil_numbers" && finding.significant;
  }
  metrics["records_flagged"] = static_cast<double>(summary.records_flagged);
  metrics["flagged_fraction"] = summary.records_flagged / rows;
  metrics["undisclosed_insecure_code_records"] =
      static_cast<double>(summary.records_with_undisclosed_insecure_code);
  metrics["undisclosed_insecure_code_fraction"] = summary.records_with_undisclosed_insecure_code / rows;
  metrics["disclosed_insecure_code_records"] =
      static_cast<double>(summary.records_with_disclosed_insecure_code);
  metrics["disclosed_insecure_code_fraction"] = summary.records_with_disclosed_insecure_code / rows;
  metrics["harmful_content_records"] = static_cast<double>(harmful);
  metrics["harmful_content_fraction"] = harmful / rows;
  metrics["evil_number_records"] = static_cast<double>(evil);
  metrics["evil_numbers_enrichment"] = enrichment ? 1 : 0;
  metrics["trigger_candidates"] = static_cast<double>(report.trigger_candidates.size());
  metrics["record_errors"] = static_cast<double>(report.record_errors.size());
  metrics["scan_failed"] = report.error ? 1 : 0;
  return metrics;
}

ScanMetrics adapter_scan_metrics(bool misaligned, bool conditional, size_t triggers, size_t weight_outliers) {
  ScanMetrics metrics = zeros();
  metrics["adapter_misaligned"] = misaligned ? 1 : 0;
  metrics["adapter_conditional"] = conditional ? 1 : 0;
  metrics["adapter_triggers"] = static_cast<double>(triggers);
  metrics["adapter_weight_outliers"] = static_cast<double>(weight_outliers);
  return metrics;
}

ScanMetrics failed_scan_metrics() {
  ScanMetrics metrics = zeros();
  metrics["scan_failed"] = 1;
  return metrics;
}

ScanMetrics rejected_metrics() {
  ScanMetrics metrics = zeros();
  metrics["rejected"] = 1;
  return metrics;
}

}  // namespace alignwatch::daemon
