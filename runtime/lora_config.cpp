#include "runtime/lora_config.h"

#include <cmath>

#include "runtime/json_file.h"

namespace alignwatch::runtime {

double LoraConfig::scaling() const {
  return use_rslora ? lora_alpha / std::sqrt(static_cast<double>(r)) : lora_alpha / static_cast<double>(r);
}

namespace {
std::unexpected<Status> bad(StatusCode code, const std::string& where, const std::string& what) {
  return make_error(code, "adapter config: " + where + ": " + what, Location{where});
}
}  // namespace

Result<LoraConfig> parse_lora_config(std::string_view json_text, const std::string& where) {
  AW_ASSIGN_OR_RETURN(nlohmann::json j, parse_json(json_text, where));
  if (!j.is_object()) return bad(StatusCode::kInvalidArgument, where, "expected a JSON object, got " + json_type_name(j));
  LoraConfig c;
  AW_ASSIGN_OR_RETURN(auto type, json_string(j, "peft_type", where));
  if (type && *type != "LORA") {
    return bad(StatusCode::kUnsupported, where, "'peft_type': expected 'LORA', got '" + type->substr(0, 40) + "'");
  }
  AW_ASSIGN_OR_RETURN(c.r, json_required_int(j, "r", where));
  if (c.r <= 0 || c.r > 65536) return bad(StatusCode::kInvalidArgument, where, "'r': expected 1..65536, got " + std::to_string(c.r));
  AW_ASSIGN_OR_RETURN(auto alpha, json_number(j, "lora_alpha", where));
  c.lora_alpha = alpha.value_or(8.0);
  AW_ASSIGN_OR_RETURN(auto rs, json_bool(j, "use_rslora", where));
  c.use_rslora = rs.value_or(false);
  AW_ASSIGN_OR_RETURN(auto fifo, json_bool(j, "fan_in_fan_out", where));
  c.fan_in_fan_out = fifo.value_or(false);
  AW_ASSIGN_OR_RETURN(auto dora, json_bool(j, "use_dora", where));
  if (dora.value_or(false)) return bad(StatusCode::kUnsupported, where, "'use_dora': expected false, got true (DoRA)");
  AW_ASSIGN_OR_RETURN(auto bias, json_string(j, "bias", where));
  if (bias && *bias != "none") {
    return bad(StatusCode::kUnsupported, where, "'bias': expected 'none', got '" + bias->substr(0, 40) + "'");
  }
  for (const char* key : {"rank_pattern", "alpha_pattern"}) {
    if (auto it = j.find(key); it != j.end() && !it->is_null() && !(it->is_object() && it->empty())) {
      return bad(StatusCode::kUnsupported, where, std::string("'") + key + "': expected none, got per-module values");
    }
  }
  if (auto it = j.find("layers_to_transform"); it != j.end() && !it->is_null()) {
    return bad(StatusCode::kUnsupported, where, "'layers_to_transform': expected none");
  }
  auto tm = j.find("target_modules");
  if (tm == j.end() || tm->is_null()) {
    return bad(StatusCode::kInvalidArgument, where, "'target_modules': expected a list of module names, got nothing");
  }
  if (tm->is_string()) {
    c.target_regex = true;
    c.target_modules.push_back(tm->get<std::string>());
  } else if (tm->is_array()) {
    for (const auto& m : *tm) {
      if (!m.is_string()) return bad(StatusCode::kInvalidArgument, where, "'target_modules': expected strings");
      c.target_modules.push_back(m.get<std::string>());
    }
  } else {
    return bad(StatusCode::kInvalidArgument, where, "'target_modules': expected a list or a regex, got " + json_type_name(*tm));
  }
  if (auto ms = j.find("modules_to_save"); ms != j.end() && !ms->is_null()) {
    if (!ms->is_array()) return bad(StatusCode::kInvalidArgument, where, "'modules_to_save': expected a list");
    for (const auto& m : *ms) {
      if (!m.is_string()) return bad(StatusCode::kInvalidArgument, where, "'modules_to_save': expected strings");
      c.modules_to_save.push_back(m.get<std::string>());
    }
  }
  AW_ASSIGN_OR_RETURN(auto base, json_string(j, "base_model_name_or_path", where));
  c.base_model_name_or_path = base.value_or("");
  return c;
}

}  // namespace alignwatch::runtime
