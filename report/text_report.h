#pragma once
// The report for a person at a terminal: per file a header and counts, the findings grouped by
// record, the trigger candidates as a table, dataset findings, and errors.

#include <string>
#include <vector>

#include "report/report_meta.h"
#include "scanners/scan_report.h"

namespace alignwatch::report {

// Renders `files` as plain text (UTF-8, lines ending in '\n', no terminal escapes). Every string
// that came from the dataset goes through visible_text(): bounded, control characters escaped,
// invisible and bidi characters spelled out, so the report cannot drive the reader's terminal
// or hide a trigger. A totals section follows when there is more than one file.
// Thread-safe; reads `files` only.
std::string render_text(const std::vector<scan::FileReport>& files, const ReportMeta& meta);

}  // namespace alignwatch::report
