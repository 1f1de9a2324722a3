#pragma once
// alignwatch scan adapter DIR --base DIR [--dataset FILE] [--reference DIR]... : the adapter
// scan in one shot (tiers 0 and 1). Exit 0 clean, 1 misaligned or conditional, 2 error.
// [--llm-judge URL [--llm-judge-model NAME] [--llm-judge-key-file F]] also judges the sampled
// free-form answers with a remote LLM (scanners/adapter/llm_judge.h).

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
  // The remote LLM judge: any of these overrides the config's adapters.llm_judge, and a URL
  // turns it on.
  std::string llm_judge_url;
  std::string llm_judge_model;
  std::string llm_judge_key_file;
};

int run_scan_adapter(const ScanAdapterOptions& options);

}  // namespace alignwatch::cli
