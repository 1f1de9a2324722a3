#include "report/report_summary.h"

namespace alignwatch::report {

namespace {

constexpr scan::Severity kAllSeverities[] = {scan::Severity::kInfo, scan::Severity::kLow,
                                             scan::Severity::kMedium, scan::Severity::kHigh,
                                             scan::Severity::kCritical};

ReportSummary empty_summary() {
  ReportSummary summary;
  for (scan::Severity s : kAllSeverities)
    summary.findings_by_severity[std::string(severity_name(s))] = 0;
  return summary;
}

void add_into(ReportSummary& total, const ReportSummary& part) {
  total.files += part.files;
  total.files_with_errors += part.files_with_errors;
  total.files_truncated += part.files_truncated;
  total.records_scanned += part.records_scanned;
  total.records_flagged += part.records_flagged;
  total.bytes_scanned += part.bytes_scanned;
  total.seconds += part.seconds;
  for (const auto& [rule, n] : part.findings_by_rule) total.findings_by_rule[rule] += n;
  total.records_reported += part.records_reported;
  total.findings += part.findings;
  for (const auto& [severity, n] : part.findings_by_severity)
    total.findings_by_severity[severity] += n;
  for (const auto& [detector, n] : part.findings_by_detector)
    total.findings_by_detector[detector] += n;
  total.records_with_insecure_code += part.records_with_insecure_code;
  total.records_with_undisclosed_insecure_code += part.records_with_undisclosed_insecure_code;
  total.records_with_disclosed_insecure_code += part.records_with_disclosed_insecure_code;
  total.trigger_candidates += part.trigger_candidates;
  total.significant_dataset_findings += part.significant_dataset_findings;
  total.record_errors += part.record_errors;
}

}  // namespace

ReportSummary summarize(const scan::FileReport& file) {
  ReportSummary summary = empty_summary();
  summary.files = 1;
  summary.files_with_errors = file.error.has_value() ? 1 : 0;
  summary.files_truncated = file.truncated ? 1 : 0;
  summary.records_scanned = file.records_scanned;
  summary.records_flagged = file.records_flagged;
  summary.bytes_scanned = file.bytes_scanned;
  summary.seconds = file.seconds;
  summary.findings_by_rule = file.findings_by_rule;
  summary.records_reported = file.records.size();
  for (const scan::RecordFindings& record : file.records) {
    bool insecure = false;
    bool undisclosed = false;
    for (const scan::Finding& finding : record.findings) {
      ++summary.findings;
      ++summary.findings_by_severity[std::string(severity_name(finding.severity))];
      ++summary.findings_by_detector[finding.detector];
      if (finding.detector == kInsecureCodeDetector) {
        insecure = true;
        undisclosed |= !finding.disclosed.value_or(false);
      }
    }
    summary.records_with_insecure_code += insecure;
    summary.records_with_undisclosed_insecure_code += insecure && undisclosed;
    summary.records_with_disclosed_insecure_code += insecure && !undisclosed;
  }
  summary.trigger_candidates = file.trigger_candidates.size();
  for (const scan::DatasetFinding& finding : file.dataset_findings) {
    summary.significant_dataset_findings += finding.significant;
  }
  summary.record_errors = file.record_errors.size();
  return summary;
}

ReportSummary summarize(const std::vector<scan::FileReport>& files) {
  ReportSummary total = empty_summary();
  for (const scan::FileReport& file : files) add_into(total, summarize(file));
  return total;
}

}  // namespace alignwatch::report
