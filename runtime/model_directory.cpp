#include "runtime/model_directory.h"

#include <algorithm>
#include <filesystem>

#include "runtime/json_file.h"
#include "runtime/safetensors_file.h"

namespace alignwatch::runtime {

bool ModelDirReport::gate_passed() const { return gate_problems().empty(); }

std::vector<std::string> ModelDirReport::gate_problems() const {
  std::vector<std::string> out;
  for (const auto& w : safetensors) {
    if (!w.status.is_ok()) out.push_back(w.status.to_string());
  }
  for (const auto& p : pickles) {
    if (!p.status.is_ok()) out.push_back(p.status.to_string());
    for (const auto& f : p.report.findings) {
      if (f.severity == PickleSeverity::kDangerous) {
        out.push_back(p.path + ": " + f.import.member + " offset " + std::to_string(f.import.offset) + ": " +
                      f.rule_id + ": " + f.message);
      }
    }
  }
  return out;
}

Result<ModelDirReport> inspect_model_dir(const std::string& dir, const std::string& chat_template_override) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) {
    return make_error(StatusCode::kNotFound, "model directory: " + dir + ": expected a directory");
  }
  ModelDirReport r;
  r.dir = dir;
  std::vector<std::string> files;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    if (e.is_regular_file(ec)) files.push_back(e.path().string());
  }
  std::sort(files.begin(), files.end());
  for (const std::string& f : files) {
    if (f.ends_with(".safetensors")) {
      WeightFileReport w;
      w.path = f;
      auto st = SafetensorsFile::open(f);
      if (!st) {
        w.status = st.error();
      } else {
        w.tensors = (*st)->tensors().size();
        for (const auto& t : (*st)->tensors()) {
          w.bytes += t.end - t.begin;
          ++w.dtypes[std::string(dtype_name(t.dtype))];
        }
      }
      r.safetensors.push_back(std::move(w));
    } else if (is_pickle_extension(f)) {
      PickleFileReport p;
      p.path = f;
      auto rep = inspect_pickle_file(f);
      if (!rep) p.status = rep.error();
      else p.report = std::move(*rep);
      r.pickles.push_back(std::move(p));
    }
  }
  auto config = load_model_config(dir);
  if (config) r.config = *config;
  else r.config_status = config.error();
  auto tok = load_tokenizer(dir);
  bool has_im_start = false, has_header = false;
  if (tok) {
    r.tokenizer = (*tok)->describe();
    has_im_start = (*tok)->token_to_id("<|im_start|>").has_value();
    has_header = (*tok)->token_to_id("<|start_header_id|>").has_value();
  } else {
    r.tokenizer_status = tok.error();
  }
  // tokenizer_config.json: chat template text, bos/eos token names.
  std::string template_text;
  std::string eos_name, bos_name;
  if (fs::exists(dir + "/tokenizer_config.json", ec)) {
    AW_ASSIGN_OR_RETURN(nlohmann::json tc, read_json_file(dir + "/tokenizer_config.json", 16u << 20));
    if (tc.is_object()) {
      if (auto it = tc.find("chat_template"); it != tc.end()) {
        if (it->is_string()) template_text = it->get<std::string>();
        // A list of named templates: use "default".
        if (it->is_array()) {
          for (const auto& t : *it) {
            if (t.is_object() && t.value("name", "") == "default" && t.contains("template") && t["template"].is_string()) {
              template_text = t["template"].get<std::string>();
            }
          }
        }
      }
      auto name_of = [&](const char* key) -> std::string {
        auto it = tc.find(key);
        if (it == tc.end()) return {};
        if (it->is_string()) return it->get<std::string>();
        if (it->is_object() && it->contains("content") && (*it)["content"].is_string()) return (*it)["content"].get<std::string>();
        return {};
      };
      eos_name = name_of("eos_token");
      bos_name = name_of("bos_token");
    }
  }
  if (!chat_template_override.empty()) {
    AW_ASSIGN_OR_RETURN(ChatTemplateKind k, parse_chat_template_name(chat_template_override));
    r.chat_template = ChatTemplate{k, "override"};
  } else {
    r.chat_template = choose_chat_template(template_text, has_im_start, has_header);
  }
  // EOS: generation_config.json, then config.json, then the tokenizer's eos_token.
  if (fs::exists(dir + "/generation_config.json", ec)) {
    AW_ASSIGN_OR_RETURN(nlohmann::json gc, read_json_file(dir + "/generation_config.json", 1u << 20));
    if (gc.is_object() && gc.contains("eos_token_id")) {
      const auto& e = gc["eos_token_id"];
      if (e.is_number_integer()) r.eos_ids.push_back(e.get<TokenId>());
      if (e.is_array()) {
        for (const auto& x : e) {
          if (x.is_number_integer()) r.eos_ids.push_back(x.get<TokenId>());
        }
      }
    }
  }
  if (r.eos_ids.empty() && r.config) {
    for (int64_t id : r.config->eos_token_ids) r.eos_ids.push_back(static_cast<TokenId>(id));
  }
  if (tok) {
    if (r.eos_ids.empty() && !eos_name.empty()) {
      if (auto id = (*tok)->token_to_id(eos_name)) r.eos_ids.push_back(*id);
    }
    if (!bos_name.empty()) r.bos_id = (*tok)->token_to_id(bos_name);
  }
  if (!r.bos_id && r.config && r.config->bos_token_id >= 0) r.bos_id = static_cast<TokenId>(r.config->bos_token_id);
  // The chat template's end-of-turn token also ends generation.
  if (tok) {
    for (const std::string& s : r.chat_template.stop_strings()) {
      if (auto id = (*tok)->token_to_id(s); id && std::find(r.eos_ids.begin(), r.eos_ids.end(), *id) == r.eos_ids.end()) {
        r.eos_ids.push_back(*id);
      }
    }
  }
  return r;
}

}  // namespace alignwatch::runtime
