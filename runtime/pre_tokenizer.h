#pragma once
// The byte-level BPE pre-tokenizers, written out as code with exactly the semantics of their
// regexes (alternation order, greedy runs, the \s+(?!\S) look-ahead):
//   kGpt2:   's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+
//   kQwen2:  (?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|
//            \s*[\r\n]+|\s+(?!\S)|\s+
//   kLlama3: as kQwen2 with \p{N}{1,3}
// The Unicode classes are those of JavaScript's /u regexes (runtime/unicode_tables.inc).

#include <cstdint>
#include <string_view>
#include <vector>

namespace alignwatch::runtime {

enum class PreTokenizerKind { kGpt2, kQwen2, kLlama3 };

std::string_view pre_tokenizer_name(PreTokenizerKind kind);  // "gpt2", "qwen2", "llama3"

bool is_unicode_letter(uint32_t cp);
bool is_unicode_number(uint32_t cp);
bool is_unicode_space(uint32_t cp);

// Splits `text` into pieces (views into `text`) that together are `text`. Invalid UTF-8 bytes
// are classed as U+FFFD (neither letter, number nor space) and kept as they are.
std::vector<std::string_view> pre_tokenize(PreTokenizerKind kind, std::string_view text);

}  // namespace alignwatch::runtime
