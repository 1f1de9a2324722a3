#pragma once
// SARIF 2.1.0 output for GitHub code scanning and other SARIF viewers: one run, a rule per rule
// id seen, a result per record finding, per trigger candidate and per significant dataset
// finding, and file errors as tool execution notifications.

#include <cstddef>
#include <string>
#include <vector>

#include "report/report_meta.h"
#include "scanners/scan_report.h"

namespace alignwatch::report {

// GitHub code scanning rejects a run with more results than this.
inline constexpr size_t kSarifMaxResults = 25'000;

// The rule id of trigger-candidate results (a trigger candidate carries no rule of its own).
inline constexpr std::string_view kTriggerCandidateRule = "trigger.candidate";

// Renders `files` as a SARIF 2.1.0 log (2-space indented, ending in a newline).
// - Locations: artifactLocation.uri is each file's path as given, percent-encoded (a file://
//   URI when absolute); region.startLine is the record's line (trigger candidates: the first
//   example line; dataset findings: line 1).
// - Beyond kSarifMaxResults results, the most severe are kept and a notification says how many
//   were left out.
// - partialFingerprints holds a hash of rule, line and excerpt, stable across runs.
// Never throws: should the JSON library fail, the log holds an empty run whose invocation says
// why. Thread-safe; reads `files` only.
std::string render_sarif(const std::vector<scan::FileReport>& files, const ReportMeta& meta);

}  // namespace alignwatch::report
