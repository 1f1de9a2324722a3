#include "scanners/dataset_scanner.h"

#include <chrono>

#include "scanners/dataset/dataset_reader.h"

namespace alignwatch::scan {

FileReport DatasetScanner::scan_file(const std::string& path,
                                     const DatasetScanOptions& options) const {
  using Clock = std::chrono::steady_clock;
  const auto started = Clock::now();
  FileReport report;
  report.path = path;
  const auto& limits = options.limits;

  auto opened = dataset::DatasetReader::open(path, {limits.max_record_bytes});
  if (!opened) {
    report.error = opened.error();
    return report;
  }
  auto& reader = **opened;
  report.compression = std::string(dataset::compression_name(reader.compression()));

  std::vector<std::unique_ptr<DatasetAnalyzer>> analyzers;
  for (const auto& detector : detectors_) {
    if (auto a = detector->make_analyzer()) analyzers.push_back(std::move(a));
  }
  for (const auto& factory : analyzers_) analyzers.push_back(factory());

  dataset::Record record;
  std::vector<Finding> findings;
  auto truncate = [&](std::string reason) {
    report.truncated = true;
    report.truncated_reason = std::move(reason);
  };
  for (;;) {
    if (limits.max_records > 0 && report.records_scanned >= limits.max_records) {
      truncate("max_records (" + std::to_string(limits.max_records) + ") reached");
      break;
    }
    if (limits.max_scan_bytes > 0 && reader.bytes_read() >= limits.max_scan_bytes) {
      truncate("max_scan_bytes (" + std::to_string(limits.max_scan_bytes) + ") reached");
      break;
    }
    // The clock is read every 256 records: cheap, and a record is bounded in size.
    if (limits.max_scan_ms > 0 && (report.records_scanned & 255) == 0 &&
        Clock::now() - started > std::chrono::milliseconds(limits.max_scan_ms)) {
      truncate("max_scan_ms (" + std::to_string(limits.max_scan_ms) + ") reached");
      break;
    }
    auto next = reader.next(record);
    if (!next) {
      if (reader.failed() || !options.skip_bad_records) {
        report.error = next.error();
        break;
      }
      if (report.record_errors.size() < limits.max_record_errors) {
        report.record_errors.push_back(next.error());
      } else if (!report.truncated) {
        truncate("max_record_errors (" + std::to_string(limits.max_record_errors) +
                 ") reached; further bad records are counted only");
      }
      continue;
    }
    if (!*next) break;
    ++report.records_scanned;
    findings.clear();
    for (const auto& detector : detectors_) detector->scan(record, findings);
    for (const auto& analyzer : analyzers) analyzer->observe(record, findings);
    if (findings.empty()) continue;
    bool above_info = false;
    for (const auto& f : findings) {
      ++report.findings_by_rule[f.rule];
      above_info |= f.severity > Severity::kInfo;
    }
    report.records_flagged += above_info;
    if (report.records.size() < limits.max_reported_records) {
      report.records.push_back(RecordFindings{record.line, record.offset, std::move(findings)});
      findings = {};
    } else if (!report.truncated) {
      truncate("max_reported_records (" + std::to_string(limits.max_reported_records) +
               ") reached; later records are counted in the summary only");
    }
  }
  if (auto f = reader.format()) report.format = std::string(dataset::format_name(*f));
  report.bytes_scanned = reader.bytes_read();
  for (auto& analyzer : analyzers) analyzer->finish(report);
  report.seconds = std::chrono::duration<double>(Clock::now() - started).count();
  return report;
}

}  // namespace alignwatch::scan
