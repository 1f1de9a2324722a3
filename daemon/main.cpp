// alignwatchd: the alignwatch daemon.
//
//   alignwatchd [--config PATH] [--state-dir DIR] [--api-port N]   serve (systemd Type=notify)
//   alignwatchd --validate-config [--config PATH]   check a config and exit (0 ok, 2 error)
//   alignwatchd --print-sample-config               a commented config with every option
//
// With no --config the daemon runs on embedded defaults; /etc/alignwatch/alignwatch.yaml is
// used when it exists and no --config is given.

#include <cstdio>
#include <filesystem>
#include <string>

#include <CLI/CLI.hpp>

#include "config/options.h"
#include "core/blas_kernel.h"
#include "core/logging.h"
#include "daemon/daemon.h"

int main(int argc, char** argv) {
  using namespace alignwatch;
  select_blas_kernels_or_reexec(argv);  // before anything else runs: it may exec
  CLI::App app{"alignwatchd: audits fine-tuning datasets and adapters pushed to its inbox"};
  daemon::DaemonOptions options;
  bool validate = false, print_sample = false;
  app.add_option("--config", options.config_path,
                 "YAML config (default: /etc/alignwatch/alignwatch.yaml if present, else embedded)");
  app.add_option("--state-dir", options.state_dir, "state directory (overrides daemon.state_dir)");
  int64_t api_port = -1;
  app.add_option("--api-port", api_port, "API port (overrides api.port; 0: any free port)")
      ->check(CLI::Range(0, 65535));
  app.add_flag("--validate-config", validate, "check the configuration and exit");
  app.add_flag("--print-sample-config", print_sample, "print a commented config and exit");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // CLI11 reports usage errors by throwing: its adapter boundary.
    int rc = app.exit(e);
    return rc == 0 ? 0 : 2;
  }
  if (api_port >= 0) options.api_port = static_cast<uint64_t>(api_port);
  if (print_sample) {
    std::fputs(config::sample_config().c_str(), stdout);
    return 0;
  }
  if (options.config_path.empty()) {
    std::error_code error;
    if (std::filesystem::exists("/etc/alignwatch/alignwatch.yaml", error)) {
      options.config_path = "/etc/alignwatch/alignwatch.yaml";
    }
  }
  init_logging("info");
  if (validate) {
    auto config = daemon::load_daemon_config(options);
    Status checked = config ? daemon::check_daemon_config(*config) : config.error();
    if (!checked.is_ok()) {
      std::fprintf(stderr, "alignwatchd: %s\n", checked.to_string().c_str());
      return 2;
    }
    std::printf("%s: ok\n", options.config_path.empty() ? "<embedded defaults>" : options.config_path.c_str());
    return 0;
  }
  daemon::Daemon daemon(std::move(options));
  return daemon.run();
}
