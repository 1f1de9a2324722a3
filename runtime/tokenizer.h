#pragma once
// The tokenizer interface the runtime uses: byte-level BPE (tokenizer.json) and SentencePiece
// (tokenizer.model) implement it. Thread-safety: all const methods may be called concurrently.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace alignwatch::runtime {

using TokenId = int32_t;

class Tokenizer {
 public:
  virtual ~Tokenizer() = default;
  // "bpe (tokenizer.json, gpt2 pre-tokenizer)", "sentencepiece (tokenizer.model)"
  virtual std::string describe() const = 0;
  virtual int64_t vocab_size() const = 0;
  // Encodes `text`. With `parse_special`, added/special tokens written in the text (such as
  // "<|im_start|>") become their ids; without, they are encoded as ordinary text. No BOS is
  // added here; templates and callers decide.
  virtual std::vector<TokenId> encode(std::string_view text, bool parse_special = true) const = 0;
  // Decodes ids to text (bytes that do not form UTF-8 are kept as they are).
  virtual std::string decode(const std::vector<TokenId>& ids) const = 0;
  virtual std::optional<TokenId> token_to_id(std::string_view token) const = 0;
  virtual std::string id_to_token(TokenId id) const = 0;
};

using TokenizerPtr = std::unique_ptr<Tokenizer>;

// Loads DIR/tokenizer.json when it holds a byte-level BPE, otherwise DIR/tokenizer.model.
Result<TokenizerPtr> load_tokenizer(const std::string& dir);

}  // namespace alignwatch::runtime
