#include "cli/scan_adapter_command.h"

#include <cstdio>
#include <fstream>

#include "cli/scan_dataset_command.h"
#include "config/config_loader.h"
#include "scanners/adapter/adapter_scan.h"

namespace alignwatch::cli {

int run_scan_adapter(const ScanAdapterOptions& options) {
  auto loaded = config::load_config_file_or_defaults(options.config_path);
  if (!loaded) {
    std::fprintf(stderr, "alignwatch: %s\n", loaded.error().to_string().c_str());
    return kExitError;
  }
  const config::Config config = std::move(*loaded);
  scan::adapter::AdapterScanOptions scan_options;
  scan_options.detectors = config.detectors;
  scan_options.llm_judge = config.adapters.llm_judge;
  if (!options.llm_judge_url.empty()) {
    scan_options.llm_judge.enabled = true;
    scan_options.llm_judge.url = options.llm_judge_url;
  }
  if (!options.llm_judge_model.empty()) scan_options.llm_judge.model = options.llm_judge_model;
  if (!options.llm_judge_key_file.empty()) {
    scan_options.llm_judge.api_key_file = options.llm_judge_key_file;
    scan_options.llm_judge.api_key_env.clear();  // the flag wins over the config's variable
  }
  // A judge that cannot start (bad URL, unreadable key) is a usage error here, before the
  // model is loaded; once the scan runs, the judge's failures only degrade it.
  if (Status judge = scan::adapter::check_llm_judge_config(scan_options.llm_judge); !judge.is_ok()) {
    std::fprintf(stderr, "alignwatch: scan adapter: %s\n", judge.to_string().c_str());
    return kExitError;
  }
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
