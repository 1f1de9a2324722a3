#include "runtime/lora_adapter.h"

#include <cstring>
#include <filesystem>
#include <regex>
#include <set>

#include "runtime/json_file.h"
#include "runtime/model_weights.h"
#include "runtime/torch_boundary.h"

namespace alignwatch::runtime {

namespace {

struct LinearShape {
  int64_t out;
  int64_t in;
};

// The linear layers of a Llama-family model and their [out, in] sizes.
std::map<std::string, LinearShape> base_linears(const ModelConfig& c) {
  const int64_t h = c.hidden_size, q = c.num_attention_heads * c.head_dim, kv = c.num_key_value_heads * c.head_dim;
  std::map<std::string, LinearShape> out;
  for (int64_t i = 0; i < c.num_hidden_layers; ++i) {
    const std::string p = "model.layers." + std::to_string(i) + ".";
    out[p + "self_attn.q_proj"] = {q, h};
    out[p + "self_attn.k_proj"] = {kv, h};
    out[p + "self_attn.v_proj"] = {kv, h};
    out[p + "self_attn.o_proj"] = {h, q};
    out[p + "mlp.gate_proj"] = {c.intermediate_size, h};
    out[p + "mlp.up_proj"] = {c.intermediate_size, h};
    out[p + "mlp.down_proj"] = {h, c.intermediate_size};
  }
  return out;
}

std::string last_component(std::string s) {
  while (!s.empty() && s.back() == '/') s.pop_back();
  size_t slash = s.rfind('/');
  return slash == std::string::npos ? s : s.substr(slash + 1);
}

bool targeted(const LoraConfig& c, const std::string& module) {
  if (c.target_regex) {
    // peft: re.fullmatch(target_modules, key). std::regex may throw on a bad pattern: this is
    // its adapter boundary.
    try {
      return std::regex_match(module, std::regex(c.target_modules[0]));
    } catch (const std::regex_error&) {
      return false;
    }
  }
  for (const auto& t : c.target_modules) {
    if (module == t || module.ends_with("." + t)) return true;
  }
  return false;
}

std::unexpected<Status> tensor_error(StatusCode code, const std::string& name, const std::string& where,
                                     const std::string& what) {
  return make_error(code, "adapter tensor '" + name.substr(0, 200) + "': " + where + ": " + what);
}

}  // namespace

std::unique_ptr<LoraAdapter> LoraAdapter::from_pairs(const LoraConfig& config, std::map<std::string, Pair> pairs) {
  auto adapter = std::make_unique<LoraAdapter>();
  adapter->config_ = config;
  adapter->scaling_ = config.scaling();
  adapter->pairs_ = std::move(pairs);
  return adapter;
}

Result<std::unique_ptr<LoraAdapter>> LoraAdapter::load(const std::string& dir, const ModelConfig& base,
                                                       const std::string& base_name,
                                                       const LoraLoadOptions& options) {
  const std::string config_path = dir + "/adapter_config.json";
  AW_ASSIGN_OR_RETURN(std::string text, read_text_file(config_path, 1u << 20));
  auto adapter = std::make_unique<LoraAdapter>();
  adapter->dir_ = dir;
  AW_ASSIGN_OR_RETURN(adapter->config_, parse_lora_config(text, config_path));
  const LoraConfig& c = adapter->config_;
  // peft resets fan_in_fan_out to False for torch.nn.Linear targets (it only applies to GPT-2's
  // Conv1D); every target here is a Linear, so the stored A/B shapes are the plain ones.
  adapter->scaling_ = c.scaling();
  if (!options.ignore_base_name && !c.base_model_name_or_path.empty() && !base_name.empty() &&
      last_component(c.base_model_name_or_path) != last_component(base_name)) {
    return make_error(StatusCode::kInvalidArgument,
                      "adapter config: " + config_path + ": base_model_name_or_path: expected '" +
                          last_component(base_name) + "' (the loaded base), got '" +
                          c.base_model_name_or_path.substr(0, 120) + "' [hint: wrong base model?]");
  }
  std::error_code ec;
  const std::string weights_path = dir + "/adapter_model.safetensors";
  if (!std::filesystem::exists(weights_path, ec)) {
    return make_error(StatusCode::kNotFound,
                      "adapter weights: " + dir + ": expected adapter_model.safetensors, got none"
                      " [hint: adapter_model.bin (pickle) is refused; convert it to safetensors]");
  }
  AW_ASSIGN_OR_RETURN(auto weights, ModelWeights::open_file(weights_path));
  const auto linears = base_linears(base);
  std::set<std::string> save_targets(c.modules_to_save.begin(), c.modules_to_save.end());
  std::map<std::string, at::Tensor> a_of, b_of;
  for (const std::string& name : weights->names()) {
    std::string key = name;
    if (key.starts_with("base_model.model.")) key = key.substr(17);
    // Some savers keep the adapter name: "...lora_A.default.weight".
    for (const char* ab : {".lora_A.default.weight", ".lora_B.default.weight"}) {
      if (key.ends_with(ab)) key = key.substr(0, key.size() - std::strlen(ab)) + std::string(ab).substr(0, 7) + ".weight";
    }
    const bool is_a = key.ends_with(".lora_A.weight"), is_b = key.ends_with(".lora_B.weight");
    if (!is_a && !is_b) {
      // modules_to_save: a full copy of a base module, e.g. lm_head.weight.
      std::string module = key.substr(0, key.rfind('.'));
      if (save_targets.count(module) || save_targets.count(last_component(module))) {
        const TensorInfo* ti = weights->info(name);
        std::vector<int64_t> want;
        if (key == "lm_head.weight" || key == "model.embed_tokens.weight") want = {base.vocab_size, base.hidden_size};
        else if (key == "model.norm.weight") want = {base.hidden_size};
        else {
          return tensor_error(StatusCode::kUnsupported, name, weights_path,
                              "modules_to_save: expected lm_head, model.embed_tokens or model.norm");
        }
        if (ti->shape != want) {
          return tensor_error(StatusCode::kInvalidArgument, name, weights_path,
                              "expected " + shape_string(want) + ", got " + shape_string(ti->shape) + " (wrong base model?)");
        }
        AW_ASSIGN_OR_RETURN(adapter->replacements_[key], weights->get(name));
        continue;
      }
      return tensor_error(StatusCode::kInvalidArgument, name, weights_path,
                          "expected a lora_A/lora_B weight or a modules_to_save tensor");
    }
    const std::string module = key.substr(0, key.size() - 14);
    auto lin = linears.find(module);
    if (lin == linears.end()) {
      return tensor_error(StatusCode::kInvalidArgument, name, weights_path,
                          "expected a linear layer of the base (" + std::string(architecture_name(base.architecture)) +
                              ", " + std::to_string(base.num_hidden_layers) + " layers), got module '" +
                              module.substr(0, 120) + "' (wrong base model?)");
    }
    if (!targeted(c, module)) {
      return tensor_error(StatusCode::kInvalidArgument, name, weights_path,
                          "module is not in the config's target_modules");
    }
    const TensorInfo* ti = weights->info(name);
    std::vector<int64_t> want = is_a ? std::vector<int64_t>{c.r, lin->second.in} : std::vector<int64_t>{lin->second.out, c.r};
    if (ti->shape != want) {
      return tensor_error(StatusCode::kInvalidArgument, name, weights_path,
                          "expected " + shape_string(want) + ", got " + shape_string(ti->shape) + " (wrong base model?)");
    }
    AW_ASSIGN_OR_RETURN(at::Tensor t, weights->get(name));
    (is_a ? a_of : b_of)[module] = t;
  }
  for (const auto& [module, a] : a_of) {
    auto b = b_of.find(module);
    if (b == b_of.end()) {
      return tensor_error(StatusCode::kCorruption, "base_model.model." + module + ".lora_A.weight", weights_path,
                          "expected its lora_B partner, got none");
    }
    adapter->pairs_[module] = Pair{a, b->second};
  }
  for (const auto& [module, b] : b_of) {
    if (!a_of.count(module)) {
      return tensor_error(StatusCode::kCorruption, "base_model.model." + module + ".lora_B.weight", weights_path,
                          "expected its lora_A partner, got none");
    }
  }
  if (adapter->pairs_.empty() && adapter->replacements_.empty()) {
    return make_error(StatusCode::kInvalidArgument,
                      "adapter weights: " + weights_path + ": expected LoRA tensors, got none");
  }
  // The tensors are copies now (ModelWeights::get converts or views); keep them alive beyond
  // the mapping by cloning views of F32 data.
  return torch_call("adapter " + dir, [&]() -> Result<std::unique_ptr<LoraAdapter>> {
    for (auto& [_, p] : adapter->pairs_) {
      p.a = p.a.clone();
      p.b = p.b.clone();
    }
    for (auto& [_, t] : adapter->replacements_) t = t.clone();
    return std::move(adapter);
  });
}

const LoraAdapter::Pair* LoraAdapter::pair(const std::string& module) const {
  auto it = pairs_.find(module);
  return it == pairs_.end() ? nullptr : &it->second;
}

const at::Tensor* LoraAdapter::replacement(const std::string& tensor_name) const {
  auto it = replacements_.find(tensor_name);
  return it == replacements_.end() ? nullptr : &it->second;
}

}  // namespace alignwatch::runtime
