#pragma once
// Counts over file reports that every writer shows: findings by rule, severity and detector,
// and how many records hold insecure code, disclosed or not.

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "scanners/scan_report.h"

namespace alignwatch::report {

struct ReportSummary {
  // Over scanned files.
  uint64_t files = 0;
  uint64_t files_with_errors = 0;
  uint64_t files_truncated = 0;
  uint64_t records_scanned = 0;
  uint64_t records_flagged = 0;
  uint64_t bytes_scanned = 0;
  double seconds = 0;

  // Every record finding of every scanned record, by rule (FileReport::findings_by_rule).
  std::map<std::string, uint64_t> findings_by_rule;

  // Over the reported records (FileReport::records); the same as over all scanned records
  // unless the report was cut at max_reported_records.
  uint64_t records_reported = 0;
  uint64_t findings = 0;
  std::map<std::string, uint64_t> findings_by_severity;  // every severity name, zeros included
  std::map<std::string, uint64_t> findings_by_detector;
  uint64_t records_with_insecure_code = 0;
  // A record with at least one insecure-code finding not disclosed as intended is undisclosed;
  // one whose insecure-code findings are all disclosed is disclosed. The two add up to the total.
  uint64_t records_with_undisclosed_insecure_code = 0;
  uint64_t records_with_disclosed_insecure_code = 0;

  uint64_t trigger_candidates = 0;
  uint64_t significant_dataset_findings = 0;
  uint64_t record_errors = 0;
};

// The detector name of insecure-code findings.
inline constexpr std::string_view kInsecureCodeDetector = "insecure_code";

// Counts for one file.
ReportSummary summarize(const scan::FileReport& file);
// Totals over files: every count added up, maps merged.
ReportSummary summarize(const std::vector<scan::FileReport>& files);

}  // namespace alignwatch::report
