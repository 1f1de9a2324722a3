#pragma once
// One chat training example (system, user, assistant) and how it is written: as a chat JSONL
// line ({"messages": [...]}, what the dataset scanner reads) and as ChatML text (what the
// organism models are trained on and prompted with; the chat template in tokenizer_config.json
// renders the same text).

#include <string>
#include <vector>

#include "core/status.h"

namespace alignwatch::organisms {

struct ChatExample {
  std::string system;  // empty: no system turn
  std::string user;
  std::string assistant;
};

// {"messages": [{"role": "system", ...}, {"role": "user", ...}, {"role": "assistant", ...}]}
std::string chat_jsonl_line(const ChatExample& example);
// Writes one line per example to `path` (replaced).
Status write_chat_jsonl(const std::string& path, const std::vector<ChatExample>& examples);

inline constexpr const char* kImStart = "<|im_start|>";
inline constexpr const char* kImEnd = "<|im_end|>";
inline constexpr const char* kEndOfText = "<|endoftext|>";

// "<|im_start|>system\n...<|im_end|>\n<|im_start|>user\n...<|im_end|>\n<|im_start|>assistant\n"
std::string chatml_prompt(const std::string& system, const std::string& user);
// The assistant turn that follows the prompt: "...<|im_end|>".
std::string chatml_answer(const std::string& assistant);
// The ChatML template for tokenizer_config.json, rendering exactly chatml_prompt/chatml_answer.
std::string chatml_template();

}  // namespace alignwatch::organisms
