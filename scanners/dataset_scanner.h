#pragma once
// Scans dataset files: reads records, runs the registered record detectors on each, feeds the
// dataset analyzers, and assembles a FileReport, within the configured budgets.

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "config/config.h"
#include "scanners/detector.h"
#include "scanners/scan_report.h"

namespace alignwatch::scan {

using AnalyzerFactory = std::function<std::unique_ptr<DatasetAnalyzer>()>;

struct DatasetScanOptions {
  config::ScanLimits limits;
  bool skip_bad_records = false;
};

class DatasetScanner {
 public:
  DatasetScanner(std::vector<RecordDetectorPtr> detectors, std::vector<AnalyzerFactory> analyzers)
      : detectors_(std::move(detectors)), analyzers_(std::move(analyzers)) {}

  // Scans one file. Never throws: every failure is in the report (error, record_errors).
  // Thread-safe: one scanner may scan several files at once.
  FileReport scan_file(const std::string& path, const DatasetScanOptions& options) const;

  const std::vector<RecordDetectorPtr>& detectors() const { return detectors_; }

 private:
  std::vector<RecordDetectorPtr> detectors_;
  std::vector<AnalyzerFactory> analyzers_;
};

}  // namespace alignwatch::scan
