// alignwatch: the command-line tool. Subcommands:
//   scan dataset FILE...     scan datasets (exit 0 clean, 1 findings, 2 error)
//   config sample            print a commented config with every option
//   config validate FILE     check a config file
//   version

#include <cstdio>
#include <string>

#include <CLI/CLI.hpp>

#include "cli/scan_dataset_command.h"
#include "config/config_loader.h"
#include "config/options.h"
#include "core/logging.h"
#include "report/report_meta.h"

namespace {

std::string joined_command_line(int argc, char** argv) {
  std::string out;
  for (int i = 0; i < argc; ++i) {
    if (i) out += ' ';
    out += argv[i];
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace alignwatch;
  CLI::App app{"alignwatch: audits fine-tuning datasets for data poisoning, backdoors and "
               "emergent misalignment"};
  app.require_subcommand(1);
  std::string log_level = "warn";
  app.add_option("--log-level", log_level, "trace, debug, info, warn, error, critical, off")
      ->capture_default_str();

  cli::ScanDatasetOptions scan_options;
  auto* scan = app.add_subcommand("scan", "scan artifacts");
  scan->require_subcommand(1);
  auto* dataset = scan->add_subcommand("dataset", "scan chat/instruction datasets (JSONL, .gz, .zst)");
  dataset->add_option("files", scan_options.files, "dataset files")->required();
  std::string format = "text";
  dataset->add_option("--format", format, "report format")
      ->check(CLI::IsMember({"text", "json", "sarif"}))
      ->capture_default_str();
  dataset->add_option("-o,--output", scan_options.output_path, "write the report to this file");
  dataset->add_option("--config", scan_options.config_path, "YAML config (default: embedded)");
  dataset->add_flag("--skip-bad-records", scan_options.skip_bad_records,
                    "report malformed records and go on instead of stopping");

  auto* config_cmd = app.add_subcommand("config", "configuration helpers");
  config_cmd->require_subcommand(1);
  auto* sample = config_cmd->add_subcommand("sample", "print a commented config with all options");
  std::string validate_path;
  auto* validate = config_cmd->add_subcommand("validate", "check a config file");
  validate->add_option("file", validate_path)->required();
  auto* version = app.add_subcommand("version", "print the version");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // CLI11 reports usage errors by throwing: this is its adapter boundary. Usage errors are
    // exit code 2, as any other error.
    int rc = app.exit(e);
    return rc == 0 ? 0 : cli::kExitError;
  }
  init_logging(log_level);

  if (*dataset) {
    scan_options.format = format == "json"    ? cli::ReportFormat::kJson
                          : format == "sarif" ? cli::ReportFormat::kSarif
                                              : cli::ReportFormat::kText;
    scan_options.command_line = joined_command_line(argc, argv);
    return cli::run_scan_dataset(scan_options);
  }
  if (*sample) {
    std::fputs(config::sample_config().c_str(), stdout);
    return 0;
  }
  if (*validate) {
    auto c = config::load_config_file(validate_path);
    if (!c) {
      std::fprintf(stderr, "%s\n", c.error().to_string().c_str());
      return cli::kExitError;
    }
    std::printf("%s: ok\n", validate_path.c_str());
    return 0;
  }
  if (*version) {
    std::printf("alignwatch %s\n", std::string(report::alignwatch_version()).c_str());
    return 0;
  }
  return cli::kExitError;
}
