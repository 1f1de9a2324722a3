#pragma once
// The explicit list of dataset detectors and analyzers, in the order they run. No static
// self-registration: adding a detector means adding a line here.

#include <memory>

#include "config/config.h"
#include "scanners/dataset_scanner.h"

namespace alignwatch::scan {

// Builds the dataset scanner with every detector enabled in `detectors`.
std::unique_ptr<DatasetScanner> build_dataset_scanner(const config::DetectorsConfig& detectors);

}  // namespace alignwatch::scan
