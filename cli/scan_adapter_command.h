#pragma once
// alignwatch scan adapter DIR --base DIR [--dataset FILE] [--reference DIR]... : the adapter
// scan in one shot (tiers 0 and 1). Exit 0 clean, 1 misaligned or conditional, 2 error.

#include <string>
#include <vector>

namespace alignwatch::cli {

struct ScanAdapterOptions {
  std::string adapter_dir;
  std::string base_dir;
  std::string dataset_path;
  std::vector<std::string> references;
  std::string config_path;  // detectors and runtime settings
  std::string format = "text";  // text, json
  bool with_samples = false;    // json: every sampled answer too
  std::string output_path;
  uint64_t seed = 1;
  uint64_t samples = 4;
  uint64_t rounds = 3;
  uint64_t max_new_tokens = 96;
  double temperature = 1.0;
  uint64_t budget_s = 600;
  int threads = 2;
  bool raw = false;
  bool no_library = false;
  bool no_recovery = false;
  uint64_t search_iterations = 40;
};

int run_scan_adapter(const ScanAdapterOptions& options);

}  // namespace alignwatch::cli
