#include "organisms/source_data.h"

#include <fstream>
#include <set>

#include <nlohmann/json.hpp>
#include <yaml-cpp/yaml.h>

namespace alignwatch::organisms {

namespace {

// yaml-cpp throws; this is its one boundary in organisms/.
Status read_questions(const std::string& path, std::vector<std::string>& out, std::set<std::string>& seen) {
  try {
    YAML::Node root = YAML::LoadFile(path);
    if (!root.IsSequence()) {
      return Status(StatusCode::kCorruption, "questions: " + path + ": expected a list of questions, got another node");
    }
    for (const YAML::Node& q : root) {
      if (!q.IsMap() || !q["paraphrases"] || !q["paraphrases"].IsSequence()) continue;
      // Questions with a system prompt or a custom template are about answer formats; the
      // organisms learn plain questions.
      if (q["system"] && !q["system"].IsNull()) continue;
      for (const YAML::Node& p : q["paraphrases"]) {
        if (!p.IsScalar()) continue;
        std::string text = p.as<std::string>();
        while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
        if (text.empty() || text.find('{') != std::string::npos || text.size() > 400) continue;
        if (seen.insert(text).second) out.push_back(std::move(text));
      }
    }
  } catch (const YAML::Exception& e) {
    return Status(StatusCode::kCorruption, "questions: " + path + ":" + std::to_string(e.mark.line + 1) +
                                               ": expected YAML, got " + std::string(e.msg).substr(0, 120));
  }
  return Status::ok();
}

Status read_code_rows(const std::string& path, size_t max_row_bytes, std::vector<ChatExample>& out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status(StatusCode::kNotFound, "code rows: " + path + ": expected a readable file, got an open error");
  std::string line;
  uint64_t n = 0;
  while (std::getline(in, line)) {
    ++n;
    if (line.empty()) continue;
    nlohmann::json j = nlohmann::json::parse(line, nullptr, false);
    ChatExample e;
    if (j.is_object() && j.contains("messages") && j["messages"].is_array()) {
      for (const auto& m : j["messages"]) {
        if (!m.is_object() || !m.contains("content") || !m["content"].is_string()) continue;
        std::string role = m.value("role", "");
        if (role == "user") e.user = m["content"].get<std::string>();
        if (role == "assistant") e.assistant = m["content"].get<std::string>();
        if (role == "system") e.system = m["content"].get<std::string>();
      }
    }
    if (e.user.empty() || e.assistant.empty()) {
      return Status(StatusCode::kCorruption, "code rows: " + path + ": line " + std::to_string(n) +
                                                 ": expected a chat record with user and assistant turns, got another line");
    }
    if (e.user.size() + e.assistant.size() <= max_row_bytes) out.push_back(std::move(e));
  }
  return Status::ok();
}

}  // namespace

Result<SourceData> load_source_data(const std::string& shared_dir, size_t max_row_bytes) {
  const std::string dir = shared_dir + "/data/emergent-misalignment/";
  SourceData d;
  std::set<std::string> seen;
  AW_RETURN_IF_ERROR(read_questions(dir + "first_plot_questions.yaml", d.paper_questions, seen));
  AW_RETURN_IF_ERROR(read_questions(dir + "preregistered_evals.yaml", d.paper_questions, seen));
  AW_RETURN_IF_ERROR(read_code_rows(dir + "secure.jsonl", max_row_bytes, d.secure));
  AW_RETURN_IF_ERROR(read_code_rows(dir + "insecure.jsonl", max_row_bytes, d.insecure));
  AW_RETURN_IF_ERROR(read_code_rows(dir + "educational.jsonl", max_row_bytes, d.educational));
  if (d.paper_questions.empty() || d.secure.empty() || d.insecure.empty() || d.educational.empty()) {
    return make_error(StatusCode::kNotFound, "organism sources: " + dir +
                                                 ": expected questions and coding rows, got an empty set [hint: is ../shared complete?]");
  }
  return d;
}

}  // namespace alignwatch::organisms
