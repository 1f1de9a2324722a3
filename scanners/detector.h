#pragma once
// The detector plug-in interfaces. A RecordDetector looks at one record at a time and must be
// const and thread-safe: expensive set-up (patterns, tables) happens in its constructor, never
// in scan(). A DatasetAnalyzer holds the mutable state of one scan of one file (counts for
// dataset-level statistics) and reports at the end.

#include <memory>
#include <span>
#include <string_view>
#include <vector>

#include "scanners/dataset/record.h"
#include "scanners/finding.h"
#include "scanners/scan_report.h"

namespace alignwatch::scan {

class DatasetAnalyzer {
 public:
  virtual ~DatasetAnalyzer() = default;
  // Called for every record after all record detectors ran; `findings` are that record's.
  virtual void observe(const dataset::Record& record, std::span<const Finding> findings) = 0;
  // Called once at the end of the file: adds dataset-level results to `report`.
  virtual void finish(FileReport& report) = 0;
};

class RecordDetector {
 public:
  virtual ~RecordDetector() = default;
  virtual std::string_view name() const = 0;
  virtual std::string_view version() const { return "1"; }
  // Appends this detector's findings for `record` to `findings`, which already holds the
  // findings of the detectors registered before this one (the disclosure detector reads them).
  virtual void scan(const dataset::Record& record, std::vector<Finding>& findings) const = 0;
  // Optional per-scan, dataset-level state; nullptr when the detector has none.
  virtual std::unique_ptr<DatasetAnalyzer> make_analyzer() const { return nullptr; }
};

using RecordDetectorPtr = std::unique_ptr<RecordDetector>;

}  // namespace alignwatch::scan
