#include "cli/scan_adapter_command.h"

#include <cstdio>
#include <fstream>

#include "cli/scan_dataset_command.h"
#include "config/config_loader.h"
#include "scanners/adapter/adapter_scan.h"

namespace alignwatch::cli {

int run_scan_adapter(const ScanAdapterOptions& options) {
  config::Config config;
  if (!options.config_path.empty()) {
    auto loaded = config::load_config_file(options.config_path);
    if (!loaded) {
      std::fprintf(stderr, "alignwatch: %s\n", loaded.error().to_string().c_str());
      return kExitError;
    }
    config = std::move(*loaded);
  }
  scan::adapter::AdapterScanOptions scan_options;
  scan_options.detectors = config.detectors;
  scan_options.dataset_path = options.dataset_path;
  scan_options.reference_adapters = options.references;
  scan_options.threads = options.threads;
  scan_options.chat_template = config.runtime.chat_template;
  scan_options.raw_prompts = options.raw;
  scan_options.use_library = !options.no_library;
  scan_options.probes.seed = options.seed;
  scan_options.probes.samples_per_variant = options.samples;
  scan_options.probes.rounds = options.rounds;
  scan_options.probes.max_new_tokens = options.max_new_tokens;
  scan_options.probes.temperature = options.temperature;
  scan_options.probes.budget = std::chrono::milliseconds(options.budget_s * 1000);
  scan_options.recover = !options.no_recovery;
  scan_options.search.iterations = options.search_iterations;
  scan_options.search.seed = options.seed;
  scan_options.search.budget = std::chrono::milliseconds(options.budget_s * 1000);
  auto report = scan::adapter::scan_adapter(options.adapter_dir, options.base_dir, scan_options);
  if (!report) {
    std::fprintf(stderr, "alignwatch: scan adapter %s: %s\n", options.adapter_dir.c_str(),
                 report.error().to_string().c_str());
    return kExitError;
  }
  const std::string text = options.format == "json" ? scan::adapter::adapter_report_json(*report, options.with_samples)
                                                    : scan::adapter::adapter_report_text(*report);
  if (options.output_path.empty()) {
    std::fputs(text.c_str(), stdout);
  } else {
    std::ofstream out(options.output_path, std::ios::binary | std::ios::trunc);
    out << text;
    if (!out) {
      std::fprintf(stderr, "alignwatch: cannot write %s\n", options.output_path.c_str());
      return kExitError;
    }
  }
  return report->verdict == "clean" ? kExitClean : kExitFindings;
}

}  // namespace alignwatch::cli
