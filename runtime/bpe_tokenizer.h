#pragma once
// Byte-level BPE from a Hugging Face tokenizer.json (GPT-2, Qwen2, Llama 3): bytes mapped to
// printable code points as GPT-2 does, one of the pre-tokenizers in pre_tokenizer.h, merges by
// rank, and added/special tokens matched in the text (leftmost, longest) before BPE.

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "runtime/pre_tokenizer.h"
#include "runtime/tokenizer.h"

namespace alignwatch::runtime {

// GPT-2's bytes_to_unicode: byte b is written as code point b when printable, otherwise as 256 + n
// (n counting the unprintable bytes in byte order). Shared by the tokenizer and its trainer.
bool gpt2_byte_is_printable(int b);
const std::array<uint32_t, 256>& gpt2_byte_code_points();

struct AddedToken {
  std::string content;
  TokenId id = 0;
  bool special = false;
};

class BpeTokenizer final : public Tokenizer {
 public:
  // Parses tokenizer.json text. Refuses models other than BPE and pre-tokenizers other than
  // ByteLevel (GPT-2) or the Qwen2/Llama 3 Split regexes, naming what it found.
  static Result<std::unique_ptr<BpeTokenizer>> from_json_text(std::string_view json_text,
                                                              const std::string& where);
  static Result<std::unique_ptr<BpeTokenizer>> load(const std::string& path);

  std::string describe() const override;
  int64_t vocab_size() const override;
  std::vector<TokenId> encode(std::string_view text, bool parse_special = true) const override;
  std::string decode(const std::vector<TokenId>& ids) const override;
  std::optional<TokenId> token_to_id(std::string_view token) const override;
  std::string id_to_token(TokenId id) const override;

  PreTokenizerKind pre_tokenizer() const { return pre_tokenizer_; }
  const std::vector<AddedToken>& added_tokens() const { return added_; }

 private:
  BpeTokenizer() = default;
  void encode_piece(std::string_view piece, std::vector<TokenId>& out) const;

  PreTokenizerKind pre_tokenizer_ = PreTokenizerKind::kGpt2;
  bool ignore_merges_ = false;
  std::unordered_map<std::string, TokenId> vocab_;
  std::vector<std::string> id_to_token_;
  std::unordered_map<std::string, int32_t> merge_ranks_;  // "left right" -> rank
  std::vector<AddedToken> added_;  // longest content first
  std::unordered_map<TokenId, size_t> added_by_id_;
  std::string byte_to_unicode_[256];
  std::unordered_map<uint32_t, uint8_t> unicode_to_byte_;
};

}  // namespace alignwatch::runtime
