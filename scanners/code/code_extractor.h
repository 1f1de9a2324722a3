#pragma once
// Finds the code in a model answer: fenced Markdown blocks (with their language tag), or the
// whole answer when it is bare code, as in most code-completion datasets. Guesses the language
// when no tag says it.

#include <cstdint>
#include <string_view>
#include <vector>

namespace alignwatch::scan {

enum class Language : uint8_t { kUnknown, kPython, kC, kJavaScript, kPhp, kShell, kSql };
std::string_view language_name(Language language);

struct CodeBlock {
  Language language;
  uint32_t begin;  // byte span of the code in the answer (fence lines excluded)
  uint32_t end;
};

// Appends the code blocks of `answer` to `blocks`. Prose without code yields none.
void extract_code_blocks(std::string_view answer, std::vector<CodeBlock>& blocks);

// The most likely language of `code` from its content alone.
Language guess_language(std::string_view code);

}  // namespace alignwatch::scan
