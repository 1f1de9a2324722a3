#pragma once
// What a generation call takes and returns (no libtorch here; see generator.h).

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "runtime/run_budget.h"
#include "runtime/tokenizer.h"

namespace alignwatch::runtime {

struct GenerateOptions {
  int64_t max_new_tokens = 64;
  double temperature = 0.0;  // 0: greedy
  double top_p = 1.0;
  uint64_t seed = 0;
  std::vector<TokenId> eos_ids;
  std::vector<std::string> stop_strings;  // need a tokenizer
  RunBudget budget;
};

enum class StopReason { kEos, kStopString, kMaxTokens, kBudget };
std::string_view stop_reason_name(StopReason r);  // "eos", "stop_string", "max_tokens", "budget"

struct GenerateResult {
  std::vector<TokenId> tokens;  // generated, without the EOS that ended it
  std::string text;             // decoded (cut before a stop string); empty without a tokenizer
  StopReason stop = StopReason::kMaxTokens;
};

}  // namespace alignwatch::runtime
