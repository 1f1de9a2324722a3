#pragma once
// A PEFT adapter_config.json for LoRA: rank, alpha, targets, rsLoRA scaling, fan_in_fan_out,
// modules_to_save and the base model it was trained on. Features this runtime cannot apply
// (DoRA, rank/alpha patterns, trained biases) are refused by name.

#include <string>
#include <vector>

#include "core/status.h"

namespace alignwatch::runtime {

struct LoraConfig {
  int64_t r = 0;
  double lora_alpha = 0;
  std::vector<std::string> target_modules;  // names ("q_proj") or, when target_regex, one regex
  bool target_regex = false;
  bool use_rslora = false;
  bool fan_in_fan_out = false;
  std::vector<std::string> modules_to_save;
  std::string base_model_name_or_path;
  // alpha / sqrt(r) with rsLoRA, alpha / r without (peft's LoraLayer.update_layer).
  double scaling() const;
};

Result<LoraConfig> parse_lora_config(std::string_view json_text, const std::string& where);

}  // namespace alignwatch::runtime
