#include "runtime/sentencepiece_tokenizer.h"

#include <algorithm>
#include <cstring>
#include <queue>

#include "runtime/json_file.h"

namespace alignwatch::runtime {

namespace {

constexpr std::string_view kSpace = "\xe2\x96\x81";  // U+2581

// A minimal protobuf wire-format reader: varints, 32-bit and length-delimited fields.
class Wire {
 public:
  explicit Wire(std::string_view b) : b_(b) {}
  bool done() const { return pos_ >= b_.size(); }
  bool ok() const { return ok_; }
  bool next(uint32_t& field, uint32_t& type) {
    uint64_t key;
    if (!varint(key)) return false;
    field = static_cast<uint32_t>(key >> 3);
    type = static_cast<uint32_t>(key & 7);
    return true;
  }
  bool varint(uint64_t& v) {
    v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (pos_ >= b_.size()) return fail();
      uint8_t c = static_cast<uint8_t>(b_[pos_++]);
      v |= static_cast<uint64_t>(c & 0x7f) << shift;
      if (!(c & 0x80)) return true;
    }
    return fail();
  }
  bool bytes(std::string_view& out) {
    uint64_t n;
    if (!varint(n) || n > b_.size() - pos_) return fail();
    out = b_.substr(pos_, n);
    pos_ += n;
    return true;
  }
  bool fixed32(float& f) {
    if (b_.size() - pos_ < 4) return fail();
    std::memcpy(&f, b_.data() + pos_, 4);
    pos_ += 4;
    return true;
  }
  bool skip(uint32_t type) {
    uint64_t v;
    std::string_view s;
    float f;
    switch (type) {
      case 0: return varint(v);
      case 1: if (b_.size() - pos_ < 8) return fail(); pos_ += 8; return true;
      case 2: return bytes(s);
      case 5: return fixed32(f);
      default: return fail();
    }
  }

 private:
  bool fail() { ok_ = false; return false; }
  std::string_view b_;
  size_t pos_ = 0;
  bool ok_ = true;
};

// The length of a valid UTF-8 sequence at s[i], or 0 when it is malformed.
size_t valid_utf8_len(std::string_view s, size_t i) {
  const auto* u = reinterpret_cast<const unsigned char*>(s.data());
  const size_t n = s.size();
  unsigned char c = u[i];
  auto cont = [&](size_t k) { return i + k < n && (u[i + k] & 0xC0) == 0x80; };
  if (c < 0x80) return 1;
  if (c >= 0xC2 && c <= 0xDF) return cont(1) ? 2 : 0;
  if ((c & 0xF0) == 0xE0) {
    if (!cont(1) || !cont(2)) return 0;
    uint32_t v = ((c & 0x0Fu) << 12) | ((u[i + 1] & 0x3Fu) << 6) | (u[i + 2] & 0x3Fu);
    return v >= 0x800 && !(v >= 0xD800 && v <= 0xDFFF) ? 3 : 0;
  }
  if (c >= 0xF0 && c <= 0xF4) {
    if (!cont(1) || !cont(2) || !cont(3)) return 0;
    uint32_t v = ((c & 0x07u) << 18) | ((u[i + 1] & 0x3Fu) << 12) | ((u[i + 2] & 0x3Fu) << 6) | (u[i + 3] & 0x3Fu);
    return v >= 0x10000 && v <= 0x10FFFF ? 4 : 0;
  }
  return 0;
}

size_t utf8_len(unsigned char c) {
  if (c < 0x80) return 1;
  if ((c & 0xE0) == 0xC0) return 2;
  if ((c & 0xF0) == 0xE0) return 3;
  if ((c & 0xF8) == 0xF0) return 4;
  return 1;
}

}  // namespace

Result<std::unique_ptr<SentencePieceTokenizer>> SentencePieceTokenizer::from_bytes(std::string_view proto,
                                                                                 const std::string& where) {
  auto bad = [&](const std::string& what) {
    return make_error(StatusCode::kCorruption, "tokenizer: " + where + ": expected a SentencePiece model, " + what);
  };
  auto t = std::unique_ptr<SentencePieceTokenizer>(new SentencePieceTokenizer());
  int64_t model_type = 1;  // UNIGRAM is the proto default
  Wire w(proto);
  uint32_t field, type;
  while (!w.done()) {
    if (!w.next(field, type)) return bad("got malformed protobuf");
    if ((field == 1 || field == 2 || field == 3) && type == 2) {
      std::string_view sub;
      if (!w.bytes(sub)) return bad("got a truncated message");
      Wire s(sub);
      uint32_t f2, t2;
      if (field == 1) {  // SentencePiece {1: piece, 2: score, 3: type}
        Piece p;
        while (!s.done()) {
          if (!s.next(f2, t2)) return bad("got a malformed piece");
          std::string_view text;
          uint64_t v;
          if (f2 == 1 && t2 == 2 && s.bytes(text)) p.text = std::string(text);
          else if (f2 == 2 && t2 == 5 && s.fixed32(p.score)) {}
          else if (f2 == 3 && t2 == 0 && s.varint(v)) p.type = static_cast<PieceType>(v);
          else if (!s.skip(t2)) return bad("got a malformed piece");
        }
        t->pieces_.push_back(std::move(p));
      } else {
        while (!s.done()) {
          if (!s.next(f2, t2)) return bad("got a malformed spec");
          uint64_t v;
          if (t2 == 0) {
            if (!s.varint(v)) return bad("got a malformed spec");
            if (field == 2) {  // TrainerSpec
              if (f2 == 3) model_type = static_cast<int64_t>(v);
              else if (f2 == 35) t->byte_fallback_ = v != 0;
              else if (f2 == 40) t->unk_id_ = static_cast<TokenId>(v);
              else if (f2 == 41) t->bos_id_ = static_cast<TokenId>(static_cast<int32_t>(v));
              else if (f2 == 42) t->eos_id_ = static_cast<TokenId>(static_cast<int32_t>(v));
            } else {  // NormalizerSpec
              if (f2 == 3) t->add_dummy_prefix_ = v != 0;
              else if (f2 == 4) t->remove_extra_whitespaces_ = v != 0;
              else if (f2 == 5) t->escape_whitespaces_ = v != 0;
            }
          } else if (field == 3 && f2 == 2 && t2 == 2) {
            std::string_view charsmap;
            if (!s.bytes(charsmap)) return bad("got a malformed normalizer");
            if (!charsmap.empty()) {
              return make_error(StatusCode::kUnsupported,
                                "tokenizer: " + where + ": expected the identity normaliser, got a precompiled "
                                "character map (NFKC) [hint: Llama 2 and Mistral use identity]");
            }
          } else if (!s.skip(t2)) {
            return bad("got a malformed spec");
          }
        }
      }
    } else if (!w.skip(type)) {
      return bad("got malformed protobuf");
    }
  }
  if (t->pieces_.empty()) return bad("got no pieces");
  if (model_type != 2) {
    return make_error(StatusCode::kUnsupported,
                      "tokenizer: " + where + ": expected a BPE SentencePiece model, got model_type " +
                          std::to_string(model_type) + (model_type == 1 ? " (unigram)" : ""));
  }
  for (size_t i = 0; i < t->pieces_.size(); ++i) {
    const Piece& p = t->pieces_[i];
    const TokenId id = static_cast<TokenId>(i);
    switch (p.type) {
      case PieceType::kNormal:
      case PieceType::kUnused:
        t->mergeable_.emplace(p.text, id);
        break;
      case PieceType::kUserDefined:
        t->mergeable_.emplace(p.text, id);
        t->user_defined_.emplace_back(p.text, id);
        break;
      case PieceType::kControl:
        t->reserved_.emplace(p.text, id);
        if (!p.text.empty()) t->controls_.emplace_back(p.text, id);
        break;
      case PieceType::kByte: {
        t->reserved_.emplace(p.text, id);
        unsigned v = 0;
        if (p.text.size() == 6 && std::sscanf(p.text.c_str(), "<0x%02X>", &v) == 1 && v < 256) t->byte_ids_[v] = id;
        break;
      }
      default:
        t->reserved_.emplace(p.text, id);
    }
  }
  if (t->byte_fallback_) {
    for (int b = 0; b < 256; ++b) {
      if (t->byte_ids_[b] == 0) return bad("byte_fallback is on, but the byte piece <0x" + std::to_string(b) + "> is missing");
    }
  }
  auto longest_first = [](const auto& a, const auto& b) { return a.first.size() > b.first.size(); };
  std::stable_sort(t->user_defined_.begin(), t->user_defined_.end(), longest_first);
  std::stable_sort(t->controls_.begin(), t->controls_.end(), longest_first);
  return t;
}

Result<std::unique_ptr<SentencePieceTokenizer>> SentencePieceTokenizer::load(const std::string& path) {
  AW_ASSIGN_OR_RETURN(std::string bytes, read_text_file(path, 64u << 20));
  return from_bytes(bytes, path);
}

std::string SentencePieceTokenizer::describe() const {
  return "SentencePiece BPE (tokenizer.model, " + std::to_string(pieces_.size()) + " pieces" +
         (byte_fallback_ ? ", byte fallback" : "") + ")";
}

void SentencePieceTokenizer::encode_plain(std::string_view text, std::vector<TokenId>& out) const {
  // Normalise: optionally squeeze spaces, add the dummy prefix, spaces as U+2581.
  std::string in(text);
  if (remove_extra_whitespaces_) {
    std::string squeezed;
    bool space = true;  // drops leading spaces
    for (char c : in) {
      if (c == ' ') {
        if (!space) squeezed += ' ';
        space = true;
      } else {
        squeezed += c;
        space = false;
      }
    }
    while (!squeezed.empty() && squeezed.back() == ' ') squeezed.pop_back();
    in = squeezed;
  }
  if (in.empty()) return;
  std::string norm;
  if (add_dummy_prefix_) norm += escape_whitespaces_ ? std::string(kSpace) : " ";
  // As sentencepiece's normaliser: a malformed UTF-8 byte becomes U+FFFD.
  for (size_t i = 0; i < in.size();) {
    size_t len = valid_utf8_len(in, i);
    if (len == 0) {
      norm += "\xef\xbf\xbd";
      ++i;
    } else if (in[i] == ' ' && escape_whitespaces_) {
      norm += kSpace;
      ++i;
    } else {
      norm.append(in, i, len);
      i += len;
    }
  }
  // Symbols: UTF-8 characters, user-defined pieces whole (and never merged further).
  struct Symbol {
    int prev, next;
    std::string_view piece;
    bool freeze;
  };
  std::vector<Symbol> sym;
  std::string_view n(norm);
  for (size_t i = 0; i < n.size();) {
    size_t len = 0;
    bool user = false;
    for (const auto& [p, id] : user_defined_) {
      if (n.compare(i, p.size(), p) == 0) {
        len = p.size();
        user = true;
        break;
      }
    }
    if (!len) len = std::min(utf8_len(static_cast<unsigned char>(n[i])), n.size() - i);
    int idx = static_cast<int>(sym.size());
    sym.push_back(Symbol{idx - 1, -1, n.substr(i, len), user});
    if (idx > 0) sym[idx - 1].next = idx;
    i += len;
  }
  struct Pair {
    int left, right;
    float score;
    size_t size;
  };
  auto cmp = [](const Pair& a, const Pair& b) { return a.score < b.score || (a.score == b.score && a.left > b.left); };
  std::priority_queue<Pair, std::vector<Pair>, decltype(cmp)> agenda(cmp);
  auto add_pair = [&](int l, int r) {
    if (l < 0 || r < 0 || sym[l].freeze || sym[r].freeze) return;
    std::string_view piece(sym[l].piece.data(), sym[l].piece.size() + sym[r].piece.size());
    auto it = mergeable_.find(std::string(piece));
    if (it == mergeable_.end()) return;
    agenda.push(Pair{l, r, pieces_[static_cast<size_t>(it->second)].score, piece.size()});
  };
  for (size_t i = 1; i < sym.size(); ++i) add_pair(static_cast<int>(i - 1), static_cast<int>(i));
  while (!agenda.empty()) {
    Pair top = agenda.top();
    agenda.pop();
    // Stale: a side was merged away or changed size.
    if (sym[top.left].piece.empty() || sym[top.right].piece.empty() ||
        sym[top.left].piece.size() + sym[top.right].piece.size() != top.size) {
      continue;
    }
    sym[top.left].piece = std::string_view(sym[top.left].piece.data(), top.size);
    sym[top.left].next = sym[top.right].next;
    if (sym[top.right].next >= 0) sym[sym[top.right].next].prev = top.left;
    sym[top.right].piece = {};
    add_pair(sym[top.left].prev, top.left);
    add_pair(top.left, sym[top.left].next);
  }
  bool last_unk = false;
  for (int i = sym.empty() ? -1 : 0; i >= 0; i = sym[i].next) {
    std::string piece(sym[i].piece);
    auto it = mergeable_.find(piece);
    TokenId id = -1;
    if (it != mergeable_.end() && pieces_[static_cast<size_t>(it->second)].type != PieceType::kUnused) id = it->second;
    if (id < 0 && it == mergeable_.end()) {
      auto r = reserved_.find(piece);
      if (r != reserved_.end()) id = r->second;
    }
    if (id < 0 || id == unk_id_) {
      if (byte_fallback_) {
        for (unsigned char c : piece) out.push_back(byte_ids_[c]);
        last_unk = false;
      } else if (!last_unk) {
        out.push_back(unk_id_);
        last_unk = true;
      }
      continue;
    }
    out.push_back(id);
    last_unk = false;
  }
}

std::vector<TokenId> SentencePieceTokenizer::encode(std::string_view text, bool parse_special) const {
  std::vector<TokenId> out;
  if (!parse_special) {
    encode_plain(text, out);
    return out;
  }
  size_t start = 0;
  for (size_t i = 0; i < text.size();) {
    auto hit = std::find_if(controls_.begin(), controls_.end(),
                            [&](const auto& c) { return text.compare(i, c.first.size(), c.first) == 0; });
    if (hit == controls_.end()) {
      ++i;
      continue;
    }
    encode_plain(text.substr(start, i - start), out);
    out.push_back(hit->second);
    i += hit->first.size();
    start = i;
  }
  encode_plain(text.substr(start), out);
  return out;
}

std::string SentencePieceTokenizer::decode(const std::vector<TokenId>& ids) const {
  std::string out;
  bool first = true;
  for (TokenId id : ids) {
    if (id < 0 || static_cast<size_t>(id) >= pieces_.size()) continue;
    const Piece& p = pieces_[static_cast<size_t>(id)];
    if (p.type == PieceType::kControl) continue;
    if (p.type == PieceType::kByte) {
      unsigned v = 0;
      if (std::sscanf(p.text.c_str(), "<0x%02X>", &v) == 1) out += static_cast<char>(v);
      continue;
    }
    // sentencepiece's DecodeSentencePiece: an unknown piece is " \u2047 "; at the start, the
    // dummy-prefix U+2581 is consumed once (all leading ones with remove_extra_whitespaces).
    std::string_view piece = p.text;
    bool consumed = false;
    if (p.type == PieceType::kUnknown) {
      piece = " \xe2\x81\x87 ";
    } else if (first && (add_dummy_prefix_ || remove_extra_whitespaces_) && piece.starts_with(kSpace)) {
      piece.remove_prefix(kSpace.size());
      consumed = !remove_extra_whitespaces_;
    }
    std::string text;
    for (size_t i = 0; i < piece.size();) {
      if (piece.compare(i, kSpace.size(), kSpace) == 0) {
        text += ' ';
        i += kSpace.size();
      } else {
        text += piece[i++];
      }
    }
    if (first && (!text.empty() || consumed)) first = false;
    out += text;
  }
  return out;
}

std::optional<TokenId> SentencePieceTokenizer::token_to_id(std::string_view token) const {
  std::string t(token);
  if (auto it = mergeable_.find(t); it != mergeable_.end()) return it->second;
  if (auto it = reserved_.find(t); it != reserved_.end()) return it->second;
  return std::nullopt;
}

std::string SentencePieceTokenizer::id_to_token(TokenId id) const {
  if (id < 0 || static_cast<size_t>(id) >= pieces_.size()) return {};
  return pieces_[static_cast<size_t>(id)].text;
}

}  // namespace alignwatch::runtime
