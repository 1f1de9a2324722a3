#include "scanners/finding.h"

#include "scanners/scan_report.h"

namespace alignwatch::scan {

std::string_view severity_name(Severity severity) {
  switch (severity) {
    case Severity::kInfo: return "info";
    case Severity::kLow: return "low";
    case Severity::kMedium: return "medium";
    case Severity::kHigh: return "high";
    case Severity::kCritical: return "critical";
  }
  return "unknown";
}

bool is_poisoning_signal(const Finding& finding) {
  if (finding.severity < Severity::kMedium) return false;
  if (finding.disclosed.value_or(false)) return false;
  return finding.detector == "insecure_code" || finding.detector == "harmful_content" ||
         finding.detector == "evil_numbers";
}

uint64_t FileReport::count_findings(Severity min_severity) const {
  uint64_t n = 0;
  for (const auto& r : records) {
    for (const auto& f : r.findings) n += f.severity >= min_severity;
  }
  for (const auto& d : dataset_findings) n += d.significant && d.severity >= min_severity;
  for (const auto& t : trigger_candidates) (void)t, ++n;
  return n;
}

}  // namespace alignwatch::scan
