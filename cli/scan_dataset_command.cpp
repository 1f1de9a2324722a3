#include "cli/scan_dataset_command.h"

#include <chrono>
#include <cstdio>
#include <fstream>

#include "config/config_loader.h"
#include "core/logging.h"
#include "report/json_report.h"
#include "report/sarif_report.h"
#include "report/text_report.h"
#include "scanners/registry.h"

namespace alignwatch::cli {

int run_scan_dataset(const ScanDatasetOptions& options) {
  auto log = get_logger("aw.cli");
  auto loaded = config::load_config_file_or_defaults(options.config_path);
  if (!loaded) {
    std::fprintf(stderr, "alignwatch: %s\n", loaded.error().to_string().c_str());
    return kExitError;
  }
  const config::Config config = std::move(*loaded);
  report::ReportMeta meta;
  meta.command_line = options.command_line;
  meta.start_time = std::chrono::system_clock::now();

  auto scanner = scan::build_dataset_scanner(config.detectors);
  scan::DatasetScanOptions scan_options{config.scan, options.skip_bad_records};
  std::vector<scan::FileReport> reports;
  bool any_error = false;
  bool any_finding = false;
  for (const auto& file : options.files) {
    scan::FileReport r = scanner->scan_file(file, scan_options);
    if (r.error) {
      any_error = true;
      log->error("scan_failed file={} error=\"{}\"", file, r.error->to_string());
    } else {
      log->info("scan_done file={} format={} records={} flagged={} triggers={} seconds={:.3f}",
                file, r.format, r.records_scanned, r.records_flagged, r.trigger_candidates.size(),
                r.seconds);
    }
    any_finding |= r.count_findings(scan::Severity::kLow) > 0;
    reports.push_back(std::move(r));
  }

  std::string rendered;
  switch (options.format) {
    case ReportFormat::kText: rendered = report::render_text(reports, meta); break;
    case ReportFormat::kJson: rendered = report::render_json(reports, meta); break;
    case ReportFormat::kSarif: rendered = report::render_sarif(reports, meta); break;
  }
  if (options.output_path.empty()) {
    std::fwrite(rendered.data(), 1, rendered.size(), stdout);
    std::fflush(stdout);
  } else {
    std::ofstream out(options.output_path, std::ios::binary | std::ios::trunc);
    out << rendered;
    if (!out.flush()) {
      std::fprintf(stderr, "alignwatch: cannot write report to '%s'\n", options.output_path.c_str());
      return kExitError;
    }
  }
  if (any_error) return kExitError;
  return any_finding ? kExitFindings : kExitClean;
}

}  // namespace alignwatch::cli
