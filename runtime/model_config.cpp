#include "runtime/model_config.h"

#include "runtime/json_file.h"

namespace alignwatch::runtime {

std::string_view architecture_name(Architecture a) {
  switch (a) {
    case Architecture::kLlama: return "LlamaForCausalLM";
    case Architecture::kMistral: return "MistralForCausalLM";
    case Architecture::kQwen2: return "Qwen2ForCausalLM";
  }
  return "?";
}

int64_t ModelConfig::parameter_count() const {
  const int64_t h = hidden_size, kv = num_key_value_heads * head_dim, q = num_attention_heads * head_dim;
  int64_t attn = h * q + 2 * h * kv + q * h + (attention_bias ? q + 2 * kv : 0);
  int64_t mlp = 3 * h * intermediate_size;
  int64_t layer = attn + mlp + 2 * h;
  return vocab_size * h * (tie_word_embeddings ? 1 : 2) + num_hidden_layers * layer + h;
}

namespace {

std::unexpected<Status> invalid(const std::string& where, const std::string& what) {
  return make_error(StatusCode::kInvalidArgument, "model config: " + where + ": " + what);
}

}  // namespace

Result<ModelConfig> parse_model_config(std::string_view json_text, const std::string& where) {
  AW_ASSIGN_OR_RETURN(nlohmann::json j, parse_json(json_text, where));
  if (!j.is_object()) return invalid(where, "expected a JSON object, got " + json_type_name(j));
  ModelConfig c;
  auto arch_it = j.find("architectures");
  if (arch_it == j.end() || !arch_it->is_array() || arch_it->empty() || !(*arch_it)[0].is_string()) {
    return invalid(where, "'architectures': expected a list naming the model class, got " +
                              (arch_it == j.end() ? std::string("nothing") : arch_it->dump().substr(0, 80)));
  }
  const std::string arch = (*arch_it)[0].get<std::string>();
  if (arch == "LlamaForCausalLM") c.architecture = Architecture::kLlama;
  else if (arch == "MistralForCausalLM") c.architecture = Architecture::kMistral;
  else if (arch == "Qwen2ForCausalLM") c.architecture = Architecture::kQwen2;
  else {
    return make_error(StatusCode::kUnsupported,
                      "model config: " + where + ": expected architecture LlamaForCausalLM, "
                      "MistralForCausalLM or Qwen2ForCausalLM, got '" + arch.substr(0, 80) + "'");
  }
  AW_ASSIGN_OR_RETURN(auto model_type, json_string(j, "model_type", where));
  c.model_type = model_type.value_or("");
  AW_ASSIGN_OR_RETURN(c.vocab_size, json_required_int(j, "vocab_size", where));
  AW_ASSIGN_OR_RETURN(c.hidden_size, json_required_int(j, "hidden_size", where));
  AW_ASSIGN_OR_RETURN(c.intermediate_size, json_required_int(j, "intermediate_size", where));
  AW_ASSIGN_OR_RETURN(c.num_hidden_layers, json_required_int(j, "num_hidden_layers", where));
  AW_ASSIGN_OR_RETURN(c.num_attention_heads, json_required_int(j, "num_attention_heads", where));
  AW_ASSIGN_OR_RETURN(auto kv, json_int(j, "num_key_value_heads", where));
  c.num_key_value_heads = kv.value_or(c.num_attention_heads);
  AW_ASSIGN_OR_RETURN(auto maxpos, json_int(j, "max_position_embeddings", where));
  c.max_position_embeddings = maxpos.value_or(4096);
  for (auto [name, value] : {std::pair{"vocab_size", c.vocab_size}, {"hidden_size", c.hidden_size},
                             {"intermediate_size", c.intermediate_size},
                             {"num_hidden_layers", c.num_hidden_layers},
                             {"num_attention_heads", c.num_attention_heads},
                             {"num_key_value_heads", c.num_key_value_heads}}) {
    if (value <= 0 || value > (1 << 24)) {
      return invalid(where, std::string("'") + name + "': expected a positive integer, got " + std::to_string(value));
    }
  }
  AW_ASSIGN_OR_RETURN(auto head_dim, json_int(j, "head_dim", where));
  if (c.hidden_size % c.num_attention_heads != 0 && !head_dim) {
    return invalid(where, "'hidden_size' " + std::to_string(c.hidden_size) +
                              ": expected a multiple of num_attention_heads " + std::to_string(c.num_attention_heads));
  }
  c.head_dim = head_dim.value_or(c.hidden_size / c.num_attention_heads);
  if (c.head_dim <= 0 || c.head_dim % 2 != 0) {
    return invalid(where, "'head_dim': expected a positive even number, got " + std::to_string(c.head_dim));
  }
  if (c.num_attention_heads % c.num_key_value_heads != 0) {
    return invalid(where, "'num_key_value_heads' " + std::to_string(c.num_key_value_heads) +
                              ": expected a divisor of num_attention_heads " + std::to_string(c.num_attention_heads));
  }
  AW_ASSIGN_OR_RETURN(auto theta, json_number(j, "rope_theta", where));
  c.rope_theta = theta.value_or(10000.0);
  AW_ASSIGN_OR_RETURN(auto eps, json_number(j, "rms_norm_eps", where));
  c.rms_norm_eps = eps.value_or(1e-6);
  AW_ASSIGN_OR_RETURN(auto tie, json_bool(j, "tie_word_embeddings", where));
  // transformers' PretrainedConfig defaults tie_word_embeddings to true; Llama's config passes
  // it on as false by default, Qwen2's likewise.
  c.tie_word_embeddings = tie.value_or(false);
  AW_ASSIGN_OR_RETURN(auto bias, json_bool(j, "attention_bias", where));
  c.attention_bias = c.architecture == Architecture::kQwen2 ? true : bias.value_or(false);
  AW_ASSIGN_OR_RETURN(auto mlp_bias, json_bool(j, "mlp_bias", where));
  c.mlp_bias = mlp_bias.value_or(false);
  if (c.mlp_bias) {
    return make_error(StatusCode::kUnsupported,
                      "model config: " + where + ": 'mlp_bias': expected false, got true");
  }
  AW_ASSIGN_OR_RETURN(auto window, json_int(j, "sliding_window", where));
  AW_ASSIGN_OR_RETURN(auto use_window, json_bool(j, "use_sliding_window", where));
  if (window && *window > 0 &&
      (c.architecture == Architecture::kMistral || (c.architecture == Architecture::kQwen2 && use_window.value_or(false)))) {
    c.sliding_window = *window;
  }
  AW_ASSIGN_OR_RETURN(auto act, json_string(j, "hidden_act", where));
  c.hidden_act = act.value_or("silu");
  if (c.hidden_act != "silu") {
    return make_error(StatusCode::kUnsupported,
                      "model config: " + where + ": 'hidden_act': expected 'silu', got '" +
                          c.hidden_act.substr(0, 40) + "'");
  }
  AW_ASSIGN_OR_RETURN(auto dtype, json_string(j, "torch_dtype", where));
  c.torch_dtype = dtype.value_or("");
  AW_ASSIGN_OR_RETURN(auto name, json_string(j, "_name_or_path", where));
  c.name_or_path = name.value_or("");
  AW_ASSIGN_OR_RETURN(auto bos, json_int(j, "bos_token_id", where));
  c.bos_token_id = bos.value_or(-1);
  if (auto e = j.find("eos_token_id"); e != j.end()) {
    if (e->is_number_integer()) c.eos_token_ids.push_back(e->get<int64_t>());
    else if (e->is_array()) {
      for (const auto& x : *e) {
        if (!x.is_number_integer()) return invalid(where, "'eos_token_id': expected integers, got " + x.dump().substr(0, 40));
        c.eos_token_ids.push_back(x.get<int64_t>());
      }
    } else if (!e->is_null()) {
      return invalid(where, "'eos_token_id': expected an integer or a list, got " + json_type_name(*e));
    }
  }
  if (auto rs = j.find("rope_scaling"); rs != j.end() && !rs->is_null()) {
    if (!rs->is_object()) return invalid(where, "'rope_scaling': expected an object, got " + json_type_name(*rs));
    AW_ASSIGN_OR_RETURN(auto type, json_string(*rs, "rope_type", where));
    if (!type) { AW_ASSIGN_OR_RETURN(type, json_string(*rs, "type", where)); }
    c.rope_scaling.type = type.value_or("");
    AW_ASSIGN_OR_RETURN(auto factor, json_number(*rs, "factor", where));
    c.rope_scaling.factor = factor.value_or(1.0);
    if (c.rope_scaling.type == "llama3") {
      AW_ASSIGN_OR_RETURN(auto lo, json_number(*rs, "low_freq_factor", where));
      AW_ASSIGN_OR_RETURN(auto hi, json_number(*rs, "high_freq_factor", where));
      AW_ASSIGN_OR_RETURN(auto orig, json_int(*rs, "original_max_position_embeddings", where));
      if (!lo || !hi || !orig) {
        return invalid(where, "'rope_scaling' llama3: expected factor, low_freq_factor, "
                              "high_freq_factor and original_max_position_embeddings");
      }
      c.rope_scaling.low_freq_factor = *lo;
      c.rope_scaling.high_freq_factor = *hi;
      c.rope_scaling.original_max_position_embeddings = *orig;
    } else if (c.rope_scaling.type == "linear" || c.rope_scaling.type == "default") {
      if (c.rope_scaling.type == "default") c.rope_scaling.type = "";
    } else {
      return make_error(StatusCode::kUnsupported,
                        "model config: " + where + ": 'rope_scaling': expected type llama3 or linear, got '" +
                            c.rope_scaling.type.substr(0, 40) + "'");
    }
  }
  return c;
}

Result<ModelConfig> load_model_config(const std::string& dir) {
  const std::string path = dir + "/config.json";
  AW_ASSIGN_OR_RETURN(std::string text, read_text_file(path, 4u << 20));
  return parse_model_config(text, path);
}

}  // namespace alignwatch::runtime
