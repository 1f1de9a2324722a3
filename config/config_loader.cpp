#include "config/config_loader.h"

#include <cmath>
#include <fstream>
#include <map>
#include <sstream>

#include <yaml-cpp/yaml.h>

#include "config/alert_metrics.h"
#include "config/options.h"

namespace alignwatch::config {

namespace {

Location where(const std::string& name, const YAML::Mark& mark) {
  Location loc{name};
  if (mark.line >= 0) loc.line = static_cast<uint64_t>(mark.line) + 1;
  if (mark.column >= 0) loc.column = static_cast<uint64_t>(mark.column) + 1;
  return loc;
}

const OptionSpec* find_option(std::string_view path) {
  for (const auto& spec : option_specs()) {
    if (spec.path == path) return &spec;
  }
  return nullptr;
}

bool is_section(std::string_view path) {
  for (const auto& spec : option_specs()) {
    if (spec.path.size() > path.size() && spec.path.substr(0, path.size()) == path &&
        spec.path[path.size()] == '.') {
      return true;
    }
  }
  return false;
}

std::string_view type_name(OptionType t) {
  switch (t) {
    case OptionType::kBool: return "a boolean";
    case OptionType::kUint: return "a non-negative integer";
    case OptionType::kDouble: return "a number";
    case OptionType::kString: return "a string";
    case OptionType::kAlertRules: return "a list of alert rules";
  }
  return "a value";
}

Status parse_alert_rules(const OptionSpec& spec, const YAML::Node& node,
                         std::vector<AlertRuleConfig>& rules, const std::string& name) {
  const std::string option(spec.path);
  if (node.IsNull()) {
    rules.clear();
    return Status::ok();
  }
  if (!node.IsSequence()) {
    return Status(StatusCode::kInvalidArgument,
                  "option '" + option + "': expected a list of rules", where(name, node.Mark()));
  }
  std::vector<AlertRuleConfig> parsed;
  for (const YAML::Node& item : node) {
    if (!item.IsMap()) {
      return Status(StatusCode::kInvalidArgument,
                    "option '" + option + "': expected a rule (a map with name, metric, min, "
                    "priority, tags)",
                    where(name, item.Mark()));
    }
    AlertRuleConfig rule;
    rule.min = 1;
    for (const auto& field : item) {
      const std::string key = field.first.Scalar();
      const YAML::Node& value = field.second;
      auto bad = [&](std::string_view expected) {
        return Status(StatusCode::kInvalidArgument,
                      "option '" + option + "' rule field '" + key + "': expected " +
                          std::string(expected),
                      where(name, value.Mark()));
      };
      if (key == "tags") {
        if (!value.IsSequence()) return bad("a list of strings");
        for (const YAML::Node& tag : value) {
          if (!tag.IsScalar()) return bad("a list of strings");
          rule.tags.push_back(tag.Scalar());
        }
        continue;
      }
      if (!value.IsScalar()) return bad("a scalar");
      if (key == "name") {
        rule.name = value.Scalar();
      } else if (key == "metric") {
        if (!is_alert_metric(value.Scalar())) {
          return bad("a known metric, got '" + value.Scalar() +
                     "' (hint: `alignwatch config sample` lists them)");
        }
        rule.metric = value.Scalar();
      } else if (key == "min") {
        double v;
        if (!YAML::convert<double>::decode(value, v) || !std::isfinite(v)) return bad("a number");
        rule.min = v;
      } else if (key == "priority") {
        if (alert_priority_rank(value.Scalar()) < 0) {
          return bad("emergency, alert, critical, error, warning, notice, informational or "
                     "debug, got '" + value.Scalar() + "'");
        }
        rule.priority = value.Scalar();
      } else {
        return Status(StatusCode::kInvalidArgument,
                      "option '" + option + "': unknown rule field '" + key +
                          "' (expected name, metric, min, priority, tags)",
                      where(name, field.first.Mark()));
      }
    }
    if (rule.name.empty() || rule.metric.empty()) {
      return Status(StatusCode::kInvalidArgument,
                    "option '" + option + "': expected every rule to have a name and a metric",
                    where(name, item.Mark()));
    }
    parsed.push_back(std::move(rule));
  }
  rules = std::move(parsed);
  return Status::ok();
}

Status set_option(const OptionSpec& spec, const YAML::Node& node, Config& config,
                  const std::string& name) {
  Location loc = where(name, node.Mark());
  std::string text = node.IsScalar() ? node.Scalar() : "";
  auto bad_type = [&] {
    return Status(StatusCode::kInvalidArgument,
                  "option '" + std::string(spec.path) + "': expected " +
                      std::string(type_name(spec.type)) + ", got " +
                      (node.IsScalar() ? "'" + text + "'" : std::string("a YAML ") +
                                                                (node.IsMap() ? "map" : "list")),
                  loc);
  };
  void* field = spec.field(config);
  if (spec.type == OptionType::kAlertRules) {
    return parse_alert_rules(spec, node, *static_cast<std::vector<AlertRuleConfig>*>(field), name);
  }
  if (!node.IsScalar()) return bad_type();
  auto check_range = [&](double v) -> Status {
    if (spec.min == spec.max || (v >= spec.min && v <= spec.max)) return Status::ok();
    std::ostringstream range;
    range << "[" << spec.min << ", " << spec.max << "]";
    return Status(StatusCode::kInvalidArgument,
                  "option '" + std::string(spec.path) + "': expected a value in " + range.str() +
                      (spec.unit.empty() ? "" : " " + std::string(spec.unit)) + ", got " + text,
                  loc);
  };
  switch (spec.type) {
    case OptionType::kBool: {
      bool v;
      if (!YAML::convert<bool>::decode(node, v)) return bad_type();
      *static_cast<bool*>(field) = v;
      return Status::ok();
    }
    case OptionType::kUint: {
      if (text.empty() || text.find_first_not_of("0123456789_") != std::string::npos) return bad_type();
      std::string digits;
      for (char c : text) {
        if (c != '_') digits += c;
      }
      if (digits.size() > 19) return check_range(1e300);
      uint64_t v = std::stoull(digits);
      AW_RETURN_IF_ERROR(check_range(static_cast<double>(v)));
      *static_cast<uint64_t*>(field) = v;
      return Status::ok();
    }
    case OptionType::kDouble: {
      double v;
      if (!YAML::convert<double>::decode(node, v) || !std::isfinite(v)) return bad_type();
      AW_RETURN_IF_ERROR(check_range(v));
      *static_cast<double*>(field) = v;
      return Status::ok();
    }
    case OptionType::kString:
      *static_cast<std::string*>(field) = text;
      if (spec.path == "alerts.min_priority" && alert_priority_rank(text) < 0) {
        return Status(StatusCode::kInvalidArgument,
                      "option 'alerts.min_priority': expected emergency, alert, critical, error, "
                      "warning, notice, informational or debug, got '" + text + "'",
                      loc);
      }
      return Status::ok();
    case OptionType::kAlertRules:
      return bad_type();
  }
  return bad_type();
}

// Where each option was set, for errors about how options combine.
using OptionMarks = std::map<std::string, Location, std::less<>>;

Status walk(const YAML::Node& node, const std::string& prefix, Config& config,
            const std::string& name, OptionMarks& marks) {
  if (!node.IsMap()) {
    return Status(StatusCode::kInvalidArgument,
                  (prefix.empty() ? std::string("configuration") : "section '" + prefix + "'") +
                      ": expected a map of options",
                  where(name, node.Mark()));
  }
  for (const auto& item : node) {
    std::string key = item.first.Scalar();
    std::string path = prefix.empty() ? key : prefix + "." + key;
    if (const OptionSpec* spec = find_option(path)) {
      AW_RETURN_IF_ERROR(set_option(*spec, item.second, config, name));
      marks[path] = where(name, item.second.Mark());
    } else if (is_section(path)) {
      if (item.second.IsNull()) continue;  // an empty section keeps its defaults
      marks[path] = where(name, item.first.Mark());
      AW_RETURN_IF_ERROR(walk(item.second, path, config, name, marks));
    } else {
      return Status(StatusCode::kInvalidArgument,
                    "unknown option '" + path + "' (hint: `alignwatch config sample` lists them)",
                    where(name, item.first.Mark()));
    }
  }
  return Status::ok();
}

// Constraints between options, checked once every option is read. Each error points at the
// option to change, or at the section when the option was left at its default.
Status check_combinations(const Config& config, const OptionMarks& marks, const std::string& name) {
  auto at = [&](std::string_view path, std::string_view section) {
    if (auto it = marks.find(path); it != marks.end()) return it->second;
    if (auto it = marks.find(section); it != marks.end()) return it->second;
    return Location{name};
  };
  const LlmJudgeConfig& judge = config.adapters.llm_judge;
  constexpr std::string_view kJudge = "adapters.llm_judge";
  if (judge.enabled) {
    if (!judge.url.starts_with("https://") && !judge.url.starts_with("http://")) {
      return Status(StatusCode::kInvalidArgument,
                    "option 'adapters.llm_judge.url': expected an https:// URL when adapters.llm_judge.enabled "
                    "is true, got '" + judge.url.substr(0, 60) + "' [hint: http:// is allowed to loopback only]",
                    at("adapters.llm_judge.url", kJudge));
    }
    if (judge.model.empty()) {
      return Status(StatusCode::kInvalidArgument,
                    "option 'adapters.llm_judge.model': expected the judge model's name when "
                    "adapters.llm_judge.enabled is true, got ''",
                    at("adapters.llm_judge.model", kJudge));
    }
  }
  if (!judge.api_key_file.empty() && !judge.api_key_env.empty()) {
    return Status(StatusCode::kInvalidArgument,
                  "option 'adapters.llm_judge.api_key_env': expected one source of the API key, got both "
                  "api_key_file and api_key_env",
                  at("adapters.llm_judge.api_key_env", kJudge));
  }
  return Status::ok();
}

}  // namespace

Result<Config> load_config_string(std::string_view yaml, const std::string& name) {
  Config config;
  YAML::Node root;
  // yaml-cpp reports syntax errors by throwing: this is its one adapter boundary.
  try {
    root = YAML::Load(std::string(yaml));
  } catch (const YAML::Exception& e) {
    return make_error(StatusCode::kInvalidArgument, "invalid YAML: " + e.msg, where(name, e.mark));
  }
  if (root.IsNull()) return config;  // an empty file keeps every default
  OptionMarks marks;
  try {
    AW_RETURN_IF_ERROR(walk(root, "", config, name, marks));
  } catch (const YAML::Exception& e) {
    return make_error(StatusCode::kInvalidArgument, "invalid configuration: " + e.msg,
                      where(name, e.mark));
  }
  AW_RETURN_IF_ERROR(check_combinations(config, marks, name));
  return config;
}

Result<Config> load_config_file_or_defaults(const std::string& path) {
  if (path.empty()) return Config{};
  return load_config_file(path);
}

Result<Config> load_config_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return make_error(StatusCode::kNotFound, "cannot read config file '" + path + "'");
  std::ostringstream text;
  text << in.rdbuf();
  return load_config_string(text.str(), path);
}

}  // namespace alignwatch::config
