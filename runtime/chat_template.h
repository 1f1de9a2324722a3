#pragma once
// Chat templates for the supported families: ChatML (Qwen2), Llama 3, Llama 2 [INST] (also
// Mistral's) and plain. Jinja is not executed: the kind is chosen from the model's
// tokenizer_config.json chat_template (by its marker tokens) or from the tokenizer's special
// tokens, and can be overridden by name.

#include <optional>
#include <string>
#include <vector>

#include "core/status.h"

namespace alignwatch::runtime {

enum class ChatTemplateKind { kChatMl, kLlama3, kLlama2, kPlain };

std::string_view chat_template_name(ChatTemplateKind k);  // "chatml", "llama3", "llama2", "plain"
Result<ChatTemplateKind> parse_chat_template_name(std::string_view name);

struct ChatMessage {
  std::string role;  // "system", "user", "assistant"
  std::string content;
};

// A rendered prompt: text parts (special tokens written as text, e.g. "<|im_start|>", parsed
// by the tokenizer) and BOS/EOS markers for tokenizers whose BOS/EOS are not written as text
// (SentencePiece's <s> and </s>).
struct PromptPiece {
  enum class Kind { kText, kBos, kEos } kind = Kind::kText;
  std::string text;
};

struct ChatTemplate {
  ChatTemplateKind kind = ChatTemplateKind::kPlain;
  std::string source;  // "tokenizer_config.json", "override", "special tokens", "default"

  // Renders the conversation followed by the start of an assistant turn.
  std::vector<PromptPiece> render(const std::vector<ChatMessage>& messages) const;
  // Text that ends an assistant turn ("<|im_end|>", "<|eot_id|>"); empty when EOS does it.
  std::vector<std::string> stop_strings() const;
};

// Chooses from tokenizer_config.json's chat_template text (may be empty) and whether the
// tokenizer has ChatML / Llama 3 special tokens.
ChatTemplate choose_chat_template(std::string_view template_text, bool has_im_start, bool has_header_ids);

}  // namespace alignwatch::runtime
