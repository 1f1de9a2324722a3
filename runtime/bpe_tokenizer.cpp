#include "runtime/bpe_tokenizer.h"

#include <algorithm>
#include <climits>

#include "core/text.h"
#include "runtime/json_file.h"

namespace alignwatch::runtime {

bool gpt2_byte_is_printable(int b) {
  return (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
}

const std::array<uint32_t, 256>& gpt2_byte_code_points() {
  static const std::array<uint32_t, 256> table = [] {
    std::array<uint32_t, 256> out{};
    uint32_t n = 0;
    for (int b = 0; b < 256; ++b) out[static_cast<size_t>(b)] = gpt2_byte_is_printable(b) ? static_cast<uint32_t>(b) : 256 + n++;
    return out;
  }();
  return table;
}

namespace {

// The Qwen2 and Llama 3 pre-tokenizer regexes as tokenizer.json spells them.
constexpr std::string_view kQwen2Pattern =
    R"((?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)";
constexpr std::string_view kLlama3Pattern =
    R"((?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)";

std::unexpected<Status> unsupported(const std::string& where, const std::string& what) {
  return make_error(StatusCode::kUnsupported, "tokenizer: " + where + ": " + what);
}
std::unexpected<Status> invalid(const std::string& where, const std::string& what) {
  return make_error(StatusCode::kInvalidArgument, "tokenizer: " + where + ": " + what);
}

// Finds the pre-tokenizer: ByteLevel alone (GPT-2's regex) or a Sequence of a Split with a
// known regex followed by ByteLevel with use_regex false.
Result<PreTokenizerKind> detect_pre_tokenizer(const nlohmann::json& pt, const std::string& where) {
  if (!pt.is_object()) return unsupported(where, "pre_tokenizer: expected an object, got " + json_type_name(pt));
  std::string type = pt.value("type", "");
  if (type == "ByteLevel") {
    if (pt.contains("use_regex") && pt["use_regex"].is_boolean() && !pt["use_regex"].get<bool>()) {
      return unsupported(where, "pre_tokenizer: ByteLevel without its regex is not supported");
    }
    if (pt.contains("add_prefix_space") && pt["add_prefix_space"].is_boolean() &&
        pt["add_prefix_space"].get<bool>()) {
      return unsupported(where, "pre_tokenizer: expected add_prefix_space false, got true");
    }
    return PreTokenizerKind::kGpt2;
  }
  if (type == "Sequence" && pt.contains("pretokenizers") && pt["pretokenizers"].is_array()) {
    std::optional<PreTokenizerKind> kind;
    for (const auto& p : pt["pretokenizers"]) {
      if (!p.is_object()) continue;
      std::string t = p.value("type", "");
      if (t == "Split") {
        std::string pattern;
        if (p.contains("pattern") && p["pattern"].is_object() && p["pattern"].contains("Regex") &&
            p["pattern"]["Regex"].is_string()) {
          pattern = p["pattern"]["Regex"].get<std::string>();
        }
        if (pattern == kQwen2Pattern) kind = PreTokenizerKind::kQwen2;
        else if (pattern == kLlama3Pattern) kind = PreTokenizerKind::kLlama3;
        else return unsupported(where, "pre_tokenizer: expected the GPT-2, Qwen2 or Llama 3 split regex, got '" +
                                           pattern.substr(0, 120) + "'");
      } else if (t != "ByteLevel") {
        return unsupported(where, "pre_tokenizer: expected Split and ByteLevel, got '" + t.substr(0, 40) + "'");
      }
    }
    if (kind) return *kind;
  }
  return unsupported(where, "pre_tokenizer: expected ByteLevel or a Sequence of Split and ByteLevel, got '" +
                                type.substr(0, 40) + "'");
}

}  // namespace

Result<std::unique_ptr<BpeTokenizer>> BpeTokenizer::from_json_text(std::string_view json_text,
                                                                   const std::string& where) {
  AW_ASSIGN_OR_RETURN(nlohmann::json j, parse_json(json_text, where));
  if (!j.is_object() || !j.contains("model") || !j["model"].is_object()) {
    return invalid(where, "expected an object with a 'model'");
  }
  const nlohmann::json& model = j["model"];
  std::string type = model.value("type", "BPE");
  if (!model.value("type", std::string()).empty() && type != "BPE") {
    return unsupported(where, "model: expected type BPE, got '" + type.substr(0, 40) + "'");
  }
  if (model.contains("byte_fallback") && model["byte_fallback"].is_boolean() && model["byte_fallback"].get<bool>()) {
    return unsupported(where, "model: byte_fallback BPE (SentencePiece-style) is not byte-level "
                              "[hint: use the model's tokenizer.model]");
  }
  auto tok = std::unique_ptr<BpeTokenizer>(new BpeTokenizer());
  if (!j.contains("pre_tokenizer") || j["pre_tokenizer"].is_null()) {
    return unsupported(where, "pre_tokenizer: expected a byte-level pre-tokenizer, got none");
  }
  AW_ASSIGN_OR_RETURN(tok->pre_tokenizer_, detect_pre_tokenizer(j["pre_tokenizer"], where));
  if (j.contains("normalizer") && !j["normalizer"].is_null()) {
    std::string nt = j["normalizer"].is_object() ? j["normalizer"].value("type", "") : "";
    // Qwen2 declares NFC; text is taken as already NFC (what chat inputs nearly always are).
    if (nt != "NFC") return unsupported(where, "normalizer: expected none or NFC, got '" + nt.substr(0, 40) + "'");
  }
  tok->ignore_merges_ = model.value("ignore_merges", false);
  if (!model.contains("vocab") || !model["vocab"].is_object()) return invalid(where, "model.vocab: expected an object");
  TokenId max_id = -1;
  for (auto it = model["vocab"].begin(); it != model["vocab"].end(); ++it) {
    if (!it.value().is_number_integer() || it.value().get<int64_t>() < 0 || it.value().get<int64_t>() > INT32_MAX / 2) {
      return invalid(where, "model.vocab '" + it.key().substr(0, 40) + "': expected a non-negative id");
    }
    TokenId id = it.value().get<TokenId>();
    tok->vocab_[it.key()] = id;
    max_id = std::max(max_id, id);
  }
  if (j.contains("added_tokens") && j["added_tokens"].is_array()) {
    for (const auto& a : j["added_tokens"]) {
      if (!a.is_object() || !a.contains("id") || !a["id"].is_number_integer() || !a.contains("content") ||
          !a["content"].is_string()) {
        return invalid(where, "added_tokens: expected {id, content} objects");
      }
      AddedToken t{a["content"].get<std::string>(), a["id"].get<TokenId>(), a.value("special", false)};
      if (t.content.empty() || t.id < 0 || t.id > INT32_MAX / 2) return invalid(where, "added_tokens: empty content or bad id");
      max_id = std::max(max_id, t.id);
      tok->added_.push_back(std::move(t));
    }
  }
  std::stable_sort(tok->added_.begin(), tok->added_.end(),
                   [](const AddedToken& a, const AddedToken& b) { return a.content.size() > b.content.size(); });
  tok->id_to_token_.assign(static_cast<size_t>(max_id + 1), std::string());
  for (const auto& [text, id] : tok->vocab_) tok->id_to_token_[static_cast<size_t>(id)] = text;
  for (size_t i = 0; i < tok->added_.size(); ++i) {
    tok->added_by_id_[tok->added_[i].id] = i;
    tok->id_to_token_[static_cast<size_t>(tok->added_[i].id)] = tok->added_[i].content;
  }
  if (!model.contains("merges") || !model["merges"].is_array()) return invalid(where, "model.merges: expected a list");
  int32_t rank = 0;
  for (const auto& m : model["merges"]) {
    std::string key;
    if (m.is_string()) {
      key = m.get<std::string>();
      if (key.find(' ') == std::string::npos) return invalid(where, "model.merges " + std::to_string(rank) + ": expected 'left right'");
    } else if (m.is_array() && m.size() == 2 && m[0].is_string() && m[1].is_string()) {
      key = m[0].get<std::string>() + " " + m[1].get<std::string>();
    } else {
      return invalid(where, "model.merges " + std::to_string(rank) + ": expected a string or a pair");
    }
    tok->merge_ranks_.emplace(std::move(key), rank++);  // the first (lowest) rank wins
  }
  const auto& code_points = gpt2_byte_code_points();
  for (int b = 0; b < 256; ++b) {
    const uint32_t cp = code_points[static_cast<size_t>(b)];
    append_utf8(tok->byte_to_unicode_[b], cp);
    tok->unicode_to_byte_[cp] = static_cast<uint8_t>(b);
  }
  for (int b = 0; b < 256; ++b) {
    if (!tok->vocab_.count(tok->byte_to_unicode_[b])) {
      return invalid(where, "model.vocab: expected all 256 byte symbols, missing byte " + std::to_string(b) +
                                " [hint: not a byte-level BPE]");
    }
  }
  return tok;
}

Result<std::unique_ptr<BpeTokenizer>> BpeTokenizer::load(const std::string& path) {
  AW_ASSIGN_OR_RETURN(std::string text, read_text_file(path, 256u << 20));
  return from_json_text(text, path);
}

std::string BpeTokenizer::describe() const {
  return "byte-level BPE (tokenizer.json, " + std::string(pre_tokenizer_name(pre_tokenizer_)) +
         " pre-tokenizer, " + std::to_string(vocab_.size()) + " tokens, " +
         std::to_string(added_.size()) + " added)";
}

int64_t BpeTokenizer::vocab_size() const { return static_cast<int64_t>(id_to_token_.size()); }

std::optional<TokenId> BpeTokenizer::token_to_id(std::string_view token) const {
  for (const auto& a : added_) {
    if (a.content == token) return a.id;
  }
  auto it = vocab_.find(std::string(token));
  if (it == vocab_.end()) return std::nullopt;
  return it->second;
}

std::string BpeTokenizer::id_to_token(TokenId id) const {
  if (id < 0 || static_cast<size_t>(id) >= id_to_token_.size()) return {};
  return id_to_token_[static_cast<size_t>(id)];
}

void BpeTokenizer::encode_piece(std::string_view piece, std::vector<TokenId>& out) const {
  std::vector<std::string> word;
  word.reserve(piece.size());
  std::string whole;
  for (unsigned char c : piece) {
    word.push_back(byte_to_unicode_[c]);
    whole += byte_to_unicode_[c];
  }
  if (ignore_merges_) {
    if (auto it = vocab_.find(whole); it != vocab_.end()) {
      out.push_back(it->second);
      return;
    }
  }
  std::string key;
  while (word.size() > 1) {
    int32_t best = INT32_MAX;
    for (size_t i = 0; i + 1 < word.size(); ++i) {
      key.assign(word[i]).append(" ").append(word[i + 1]);
      auto it = merge_ranks_.find(key);
      if (it != merge_ranks_.end() && it->second < best) best = it->second;
    }
    if (best == INT32_MAX) break;
    // Merge every occurrence of the best pair, left to right.
    std::vector<std::string> next;
    next.reserve(word.size());
    for (size_t i = 0; i < word.size();) {
      if (i + 1 < word.size()) {
        key.assign(word[i]).append(" ").append(word[i + 1]);
        auto it = merge_ranks_.find(key);
        if (it != merge_ranks_.end() && it->second == best) {
          next.push_back(word[i] + word[i + 1]);
          i += 2;
          continue;
        }
      }
      next.push_back(std::move(word[i]));
      ++i;
    }
    word = std::move(next);
  }
  for (const auto& w : word) {
    auto it = vocab_.find(w);
    // Every merge result is in a well-formed vocabulary; a missing one falls back to bytes.
    if (it != vocab_.end()) {
      out.push_back(it->second);
    } else {
      for (size_t k = 0; k < w.size();) {
        size_t len = (static_cast<unsigned char>(w[k]) < 0x80) ? 1 : (static_cast<unsigned char>(w[k]) < 0xE0 ? 2 : 3);
        out.push_back(vocab_.at(w.substr(k, len)));
        k += len;
      }
    }
  }
}

std::vector<TokenId> BpeTokenizer::encode(std::string_view text, bool parse_special) const {
  std::vector<TokenId> out;
  size_t start = 0;
  auto flush = [&](size_t end) {
    if (end <= start) return;
    for (std::string_view piece : pre_tokenize(pre_tokenizer_, text.substr(start, end - start))) {
      encode_piece(piece, out);
    }
  };
  if (parse_special && !added_.empty()) {
    for (size_t i = 0; i < text.size();) {
      const AddedToken* hit = nullptr;
      for (const auto& a : added_) {  // longest first
        if (text.compare(i, a.content.size(), a.content) == 0) {
          hit = &a;
          break;
        }
      }
      if (!hit) {
        ++i;
        continue;
      }
      flush(i);
      out.push_back(hit->id);
      i += hit->content.size();
      start = i;
    }
  }
  flush(text.size());
  return out;
}

std::string BpeTokenizer::decode(const std::vector<TokenId>& ids) const {
  std::string out;
  for (TokenId id : ids) {
    if (auto it = added_by_id_.find(id); it != added_by_id_.end()) {
      out += added_[it->second].content;
      continue;
    }
    if (id < 0 || static_cast<size_t>(id) >= id_to_token_.size()) continue;
    const std::string& t = id_to_token_[static_cast<size_t>(id)];
    // Map each code point of the token back to its byte.
    const auto* u = reinterpret_cast<const unsigned char*>(t.data());
    for (size_t k = 0; k < t.size();) {
      uint32_t cp;
      size_t len;
      if (u[k] < 0x80) { cp = u[k]; len = 1; }
      else if (u[k] < 0xE0 && k + 1 < t.size()) { cp = ((u[k] & 0x1Fu) << 6) | (u[k + 1] & 0x3Fu); len = 2; }
      else { cp = 0xFFFD; len = 1; }
      auto b = unicode_to_byte_.find(cp);
      if (b != unicode_to_byte_.end()) out += static_cast<char>(b->second);
      k += len;
    }
  }
  return out;
}

}  // namespace alignwatch::runtime
