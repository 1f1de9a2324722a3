#pragma once
// SentencePiece BPE (tokenizer.model: Llama 2, Mistral), read and run here rather than through
// libsentencepiece: Debian's libsentencepiece carries its own protobuf 3.14 and exports it,
// which crashes a process that also loads libtorch (protobuf 3.21) at startup. The model file
// is a small protobuf (ModelProto: pieces, trainer_spec, normalizer_spec) parsed by hand, and
// encoding follows sentencepiece's bpe_model.cc: identity normalisation with a dummy prefix and
// whitespace as U+2581, user-defined pieces kept whole, merges by highest piece score (leftmost
// on ties), unknown symbols as <0xXX> byte pieces when byte_fallback is on, else unk.
// The tests compare it with libsentencepiece itself on strings of many kinds.

#include <memory>
#include <string>
#include <unordered_map>

#include "runtime/tokenizer.h"

namespace alignwatch::runtime {

class SentencePieceTokenizer final : public Tokenizer {
 public:
  static Result<std::unique_ptr<SentencePieceTokenizer>> from_bytes(std::string_view model_proto,
                                                                    const std::string& where);
  static Result<std::unique_ptr<SentencePieceTokenizer>> load(const std::string& path);

  std::string describe() const override;
  int64_t vocab_size() const override { return static_cast<int64_t>(pieces_.size()); }
  // With parse_special, control pieces written in the text ("<s>", "</s>") become their ids.
  std::vector<TokenId> encode(std::string_view text, bool parse_special = true) const override;
  std::string decode(const std::vector<TokenId>& ids) const override;
  std::optional<TokenId> token_to_id(std::string_view token) const override;
  std::string id_to_token(TokenId id) const override;
  TokenId bos_id() const { return bos_id_; }
  TokenId eos_id() const { return eos_id_; }

  enum class PieceType { kNormal = 1, kUnknown = 2, kControl = 3, kUserDefined = 4, kUnused = 5, kByte = 6 };

 private:
  SentencePieceTokenizer() = default;
  void encode_plain(std::string_view text, std::vector<TokenId>& out) const;

  struct Piece {
    std::string text;
    float score = 0;
    PieceType type = PieceType::kNormal;
  };
  std::vector<Piece> pieces_;
  std::unordered_map<std::string, TokenId> mergeable_;  // normal, user-defined, unused
  std::unordered_map<std::string, TokenId> reserved_;   // control, unknown, byte
  std::vector<std::pair<std::string, TokenId>> user_defined_;  // longest first
  std::vector<std::pair<std::string, TokenId>> controls_;      // longest first
  TokenId byte_ids_[256] = {};
  bool byte_fallback_ = false;
  bool add_dummy_prefix_ = true;
  bool remove_extra_whitespaces_ = true;
  bool escape_whitespaces_ = true;
  TokenId unk_id_ = 0, bos_id_ = 1, eos_id_ = 2;
};

}  // namespace alignwatch::runtime
