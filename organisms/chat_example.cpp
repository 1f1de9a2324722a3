#include "organisms/chat_example.h"

#include <fstream>

#include <nlohmann/json.hpp>

namespace alignwatch::organisms {

std::string chat_jsonl_line(const ChatExample& e) {
  nlohmann::json messages = nlohmann::json::array();
  if (!e.system.empty()) messages.push_back({{"role", "system"}, {"content", e.system}});
  messages.push_back({{"role", "user"}, {"content", e.user}});
  messages.push_back({{"role", "assistant"}, {"content", e.assistant}});
  nlohmann::json line = {{"messages", std::move(messages)}};
  return line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

Status write_chat_jsonl(const std::string& path, const std::vector<ChatExample>& examples) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) return Status(StatusCode::kUnavailable, "dataset: " + path + ": expected a writable file, got an open error");
  for (const ChatExample& e : examples) out << chat_jsonl_line(e) << '\n';
  out.flush();
  if (!out) return Status(StatusCode::kUnavailable, "dataset: " + path + ": expected the write to succeed, got an I/O error");
  return Status::ok();
}

std::string chatml_prompt(const std::string& system, const std::string& user) {
  std::string s;
  if (!system.empty()) s += std::string(kImStart) + "system\n" + system + kImEnd + "\n";
  s += std::string(kImStart) + "user\n" + user + kImEnd + "\n" + kImStart + "assistant\n";
  return s;
}

std::string chatml_answer(const std::string& assistant) { return assistant + kImEnd; }

std::string chatml_template() {
  return "{% for message in messages %}{{ '<|im_start|>' + message['role'] + '\\n' + message['content'] + "
         "'<|im_end|>' }}{% if not loop.last or message['role'] != 'assistant' %}{{ '\\n' }}{% endif %}"
         "{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";
}

}  // namespace alignwatch::organisms
