#pragma once
// The machine-readable report: one JSON document over all scanned files, documented by
// schemas/dataset-report.schema.json.

#include <string>
#include <vector>

#include "report/report_meta.h"
#include "scanners/scan_report.h"

namespace alignwatch::report {

// Renders `files` as a JSON document (2-space indented unless kCompact, UTF-8, ending in a newline) that
// validates against schemas/dataset-report.schema.json. Strings from the dataset are JSON-escaped;
// invalid UTF-8 in them becomes U+FFFD, and non-finite numbers become null. Never throws: should
// the JSON library fail, the document holds no files and a top-level "error" saying why.
// Thread-safe; reads `files` only.
// kCompact: one line, no indentation. kCompactWithoutRecords also leaves `records` empty (the
// summary still counts them): the daemon stores each record apart and puts them back on reading.
enum class JsonLayout { kIndented, kCompact, kCompactWithoutRecords };
std::string render_json(const std::vector<scan::FileReport>& files, const ReportMeta& meta,
                        JsonLayout layout = JsonLayout::kIndented);

// One record with its findings as a compact JSON object ({line, offset, findings[]}), the form
// the daemon stores each flagged record in. Never throws.
std::string render_record_json(const scan::RecordFindings& record);

}  // namespace alignwatch::report
