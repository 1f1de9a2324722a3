#include "runtime/tokenizer.h"

#include <filesystem>

#include "runtime/bpe_tokenizer.h"
#include "runtime/sentencepiece_tokenizer.h"

namespace alignwatch::runtime {

Result<TokenizerPtr> load_tokenizer(const std::string& dir) {
  std::error_code ec;
  const std::string json = dir + "/tokenizer.json", model = dir + "/tokenizer.model";
  const bool has_json = std::filesystem::exists(json, ec), has_model = std::filesystem::exists(model, ec);
  std::optional<Status> json_error;
  if (has_json) {
    auto t = BpeTokenizer::load(json);
    if (t) return TokenizerPtr(std::move(*t));
    json_error = t.error();
    // A SentencePiece-style tokenizer.json (byte_fallback) beside a tokenizer.model: use the latter.
    if (!has_model || t.error().code() != StatusCode::kUnsupported) return std::unexpected(*json_error);
  }
  if (has_model) {
    auto t = SentencePieceTokenizer::load(model);
    if (!t) return std::unexpected(t.error());
    return TokenizerPtr(std::move(*t));
  }
  return make_error(StatusCode::kNotFound,
                    "tokenizer: " + dir + ": expected tokenizer.json or tokenizer.model, got neither");
}

}  // namespace alignwatch::runtime
