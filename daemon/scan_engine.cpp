#include "daemon/scan_engine.h"

#include "scanners/registry.h"

namespace alignwatch::daemon {

ScanEnginePtr build_scan_engine(const config::Config& config) {
  auto engine = std::make_shared<ScanEngine>();
  engine->config = config;
  engine->dataset_scanner = scan::build_dataset_scanner(config.detectors);
  return engine;
}

}  // namespace alignwatch::daemon
