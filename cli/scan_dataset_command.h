#pragma once
// `alignwatch scan dataset FILE...`: the one-shot dataset scan that pipelines gate on.

#include <string>
#include <vector>

namespace alignwatch::cli {

enum class ReportFormat { kText, kJson, kSarif };

struct ScanDatasetOptions {
  std::vector<std::string> files;
  ReportFormat format = ReportFormat::kText;
  std::string output_path;  // empty: stdout
  std::string config_path;  // empty: embedded defaults
  bool skip_bad_records = false;
  std::string command_line;
};

// Exit codes, as pipelines gate on them.
inline constexpr int kExitClean = 0;
inline constexpr int kExitFindings = 1;
inline constexpr int kExitError = 2;

// Scans the files, writes the report, returns the exit code: 0 no finding, 1 findings,
// 2 an error (a file that could not be scanned, a bad config, an unwritable output).
int run_scan_dataset(const ScanDatasetOptions& options);

}  // namespace alignwatch::cli
