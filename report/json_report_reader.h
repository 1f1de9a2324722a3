#pragma once
// Reads a JSON report (as render_json writes it, schemas/dataset-report.schema.json) back into
// FileReports, so a report stored as JSON can be rendered again in another format (the API's
// SARIF view of a stored scan).

#include <string_view>
#include <vector>

#include "core/status.h"
#include "scanners/scan_report.h"

namespace alignwatch::report {

// kCorruption naming the field when `json` is not such a report.
Result<std::vector<scan::FileReport>> read_json_report(std::string_view json);

}  // namespace alignwatch::report
