#pragma once
// An immutable snapshot of what scans run with: the configuration and the compiled dataset
// scanner. A reload builds a new one and swaps it in; scans in flight finish on the old one.

#include <memory>

#include "config/config.h"
#include "scanners/dataset_scanner.h"

namespace alignwatch::daemon {

struct ScanEngine {
  config::Config config;
  std::unique_ptr<scan::DatasetScanner> dataset_scanner;
};

using ScanEnginePtr = std::shared_ptr<const ScanEngine>;

// Builds the engine for `config` (compiles every detector). Never throws.
ScanEnginePtr build_scan_engine(const config::Config& config);

}  // namespace alignwatch::daemon
