#pragma once
// Every configuration option, declared once: its dotted path, type, default, range, unit and
// description. The loader, the sample config and the docs are generated from this table.

#include <string>
#include <string_view>
#include <vector>

#include "config/config.h"

namespace alignwatch::config {

// kAlertRules: a YAML list of {name, metric, min, priority, tags} (std::vector<AlertRuleConfig>).
enum class OptionType { kBool, kUint, kDouble, kString, kAlertRules };

struct OptionSpec {
  std::string_view path;  // "detectors.trigger_mining.fdr"
  OptionType type;
  double min = 0;  // range for numbers (inclusive)
  double max = 0;
  std::string_view unit;  // "bytes", "ms", "" ...
  std::string_view description;
  void* (*field)(Config&);  // where the value lives
};

// All options, in the order the sample config lists them.
const std::vector<OptionSpec>& option_specs();

// The current value of an option in `config`, as YAML text.
std::string option_value_text(const OptionSpec& spec, const Config& config);

// A commented YAML file with every option at its default.
std::string sample_config();

}  // namespace alignwatch::config
