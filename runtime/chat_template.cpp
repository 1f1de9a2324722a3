#include "runtime/chat_template.h"

namespace alignwatch::runtime {

std::string_view chat_template_name(ChatTemplateKind k) {
  switch (k) {
    case ChatTemplateKind::kChatMl: return "chatml";
    case ChatTemplateKind::kLlama3: return "llama3";
    case ChatTemplateKind::kLlama2: return "llama2";
    case ChatTemplateKind::kPlain: return "plain";
  }
  return "?";
}

Result<ChatTemplateKind> parse_chat_template_name(std::string_view name) {
  for (auto k : {ChatTemplateKind::kChatMl, ChatTemplateKind::kLlama3, ChatTemplateKind::kLlama2, ChatTemplateKind::kPlain}) {
    if (name == chat_template_name(k)) return k;
  }
  return make_error(StatusCode::kInvalidArgument,
                    "chat template: expected chatml, llama3, llama2 or plain, got '" + std::string(name.substr(0, 40)) + "'");
}

namespace {
std::string trim(const std::string& s) {
  size_t b = s.find_first_not_of(" \t\r\n"), e = s.find_last_not_of(" \t\r\n");
  return b == std::string::npos ? std::string() : s.substr(b, e - b + 1);
}
}  // namespace

std::vector<PromptPiece> ChatTemplate::render(const std::vector<ChatMessage>& messages) const {
  std::vector<PromptPiece> out;
  auto text = [&](std::string t) { out.push_back({PromptPiece::Kind::kText, std::move(t)}); };
  switch (kind) {
    case ChatTemplateKind::kChatMl:
      for (const auto& m : messages) text("<|im_start|>" + m.role + "\n" + m.content + "<|im_end|>\n");
      text("<|im_start|>assistant\n");
      break;
    case ChatTemplateKind::kLlama3: {
      std::string s = "<|begin_of_text|>";
      for (const auto& m : messages) {
        s += "<|start_header_id|>" + m.role + "<|end_header_id|>\n\n" + trim(m.content) + "<|eot_id|>";
      }
      text(s + "<|start_header_id|>assistant<|end_header_id|>\n\n");
      break;
    }
    case ChatTemplateKind::kLlama2: {
      // Llama 2: <s>[INST] <<SYS>>\n{system}\n<</SYS>>\n\n{user} [/INST] {answer} </s><s>[INST] ...
      std::string system;
      size_t i = 0;
      if (!messages.empty() && messages[0].role == "system") {
        system = "<<SYS>>\n" + messages[0].content + "\n<</SYS>>\n\n";
        i = 1;
      }
      for (; i < messages.size(); ++i) {
        const auto& m = messages[i];
        if (m.role == "assistant") {
          text(" " + trim(m.content) + " ");
          out.push_back({PromptPiece::Kind::kEos, ""});
        } else {
          out.push_back({PromptPiece::Kind::kBos, ""});
          text("[INST] " + system + trim(m.content) + " [/INST]");
          system.clear();
        }
      }
      break;
    }
    case ChatTemplateKind::kPlain: {
      std::string s;
      for (const auto& m : messages) {
        if (!s.empty()) s += "\n\n";
        s += m.content;
      }
      text(s + (s.empty() ? "" : "\n\n"));
      break;
    }
  }
  return out;
}

std::vector<std::string> ChatTemplate::stop_strings() const {
  switch (kind) {
    case ChatTemplateKind::kChatMl: return {"<|im_end|>"};
    case ChatTemplateKind::kLlama3: return {"<|eot_id|>"};
    default: return {};
  }
}

ChatTemplate choose_chat_template(std::string_view t, bool has_im_start, bool has_header_ids) {
  if (t.find("<|im_start|>") != std::string_view::npos) return {ChatTemplateKind::kChatMl, "tokenizer_config.json"};
  if (t.find("<|start_header_id|>") != std::string_view::npos) return {ChatTemplateKind::kLlama3, "tokenizer_config.json"};
  if (t.find("[INST]") != std::string_view::npos) return {ChatTemplateKind::kLlama2, "tokenizer_config.json"};
  if (has_im_start) return {ChatTemplateKind::kChatMl, "special tokens"};
  if (has_header_ids) return {ChatTemplateKind::kLlama3, "special tokens"};
  return {ChatTemplateKind::kPlain, t.empty() ? "default" : "tokenizer_config.json (unrecognised; plain)"};
}

}  // namespace alignwatch::runtime
