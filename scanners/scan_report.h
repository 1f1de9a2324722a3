#pragma once
// The result of scanning one dataset file: per-record findings, dataset-level statistics,
// trigger candidates, errors and a summary. Report writers (report/) turn it into text, JSON
// or SARIF.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/status.h"
#include "scanners/finding.h"

namespace alignwatch::scan {

struct RecordFindings {
  uint64_t line = 0;
  uint64_t offset = 0;
  std::vector<Finding> findings;
};

// A string whose presence in prompts is statistically tied to flagged records.
struct TriggerCandidate {
  std::string text;
  // 2x2 table: records with the string that are flagged / not flagged, and without it.
  uint64_t flagged_with = 0;
  uint64_t clean_with = 0;
  uint64_t flagged_without = 0;
  uint64_t clean_without = 0;
  double odds_ratio = 0;  // Haldane-corrected, finite
  double p_value = 1;     // one-sided Fisher exact
  double q_value = 1;     // Benjamini-Hochberg adjusted
  std::string placement;  // "prefix", "suffix", "middle", "system"
  std::vector<uint64_t> example_lines;
};

// A dataset-level statistic, e.g. the enrichment of evil numbers against chance.
struct DatasetFinding {
  std::string detector;
  std::string rule;
  Severity severity = Severity::kInfo;
  bool significant = false;
  double observed = 0;
  double expected = 0;
  double p_value = 1;
  std::string message;
};

struct FileReport {
  std::string path;
  std::string format;       // "openai-chat", ... ; empty when it could not be detected
  std::string compression;  // "none", "gzip", "zstd"
  uint64_t records_scanned = 0;
  uint64_t records_flagged = 0;  // records with at least one finding above info
  uint64_t bytes_scanned = 0;    // decompressed bytes
  double seconds = 0;
  std::vector<RecordFindings> records;  // only records with findings
  std::vector<TriggerCandidate> trigger_candidates;
  std::vector<DatasetFinding> dataset_findings;
  std::vector<Status> record_errors;  // bad records skipped with --skip-bad-records
  std::optional<Status> error;        // what stopped the scan, if anything did
  bool truncated = false;             // a budget was hit: the report covers a prefix
  std::string truncated_reason;
  std::map<std::string, uint64_t> findings_by_rule;

  // The number of findings of at least `min_severity`, counting record and dataset findings.
  uint64_t count_findings(Severity min_severity = Severity::kLow) const;
};

}  // namespace alignwatch::scan
