#include "runtime/pre_tokenizer.h"

#include <algorithm>

namespace alignwatch::runtime {

namespace {

struct CodePointRange {
  uint32_t first;
  uint32_t last;
};
#include "runtime/unicode_tables.inc"

template <size_t N>
bool in_ranges(const CodePointRange (&ranges)[N], uint32_t cp) {
  auto it = std::upper_bound(std::begin(ranges), std::end(ranges), cp,
                             [](uint32_t v, const CodePointRange& r) { return v < r.first; });
  if (it == std::begin(ranges)) return false;
  --it;
  return cp <= it->last;
}

struct Char {
  uint32_t cp;
  uint32_t offset;  // byte offset in the text
};

// Decodes UTF-8; a byte that does not start a valid sequence becomes one U+FFFD char.
std::vector<Char> decode_utf8(std::string_view s) {
  std::vector<Char> out;
  out.reserve(s.size());
  const auto* u = reinterpret_cast<const unsigned char*>(s.data());
  size_t i = 0, n = s.size();
  while (i < n) {
    unsigned char c = u[i];
    uint32_t cp = 0xFFFD;
    size_t len = 1;
    if (c < 0x80) {
      cp = c;
    } else if ((c & 0xE0) == 0xC0 && c >= 0xC2 && i + 1 < n && (u[i + 1] & 0xC0) == 0x80) {
      cp = ((c & 0x1Fu) << 6) | (u[i + 1] & 0x3Fu);
      len = 2;
    } else if ((c & 0xF0) == 0xE0 && i + 2 < n && (u[i + 1] & 0xC0) == 0x80 && (u[i + 2] & 0xC0) == 0x80) {
      uint32_t v = ((c & 0x0Fu) << 12) | ((u[i + 1] & 0x3Fu) << 6) | (u[i + 2] & 0x3Fu);
      if (v >= 0x800 && !(v >= 0xD800 && v <= 0xDFFF)) {
        cp = v;
        len = 3;
      }
    } else if ((c & 0xF8) == 0xF0 && i + 3 < n && (u[i + 1] & 0xC0) == 0x80 &&
               (u[i + 2] & 0xC0) == 0x80 && (u[i + 3] & 0xC0) == 0x80) {
      uint32_t v = ((c & 0x07u) << 18) | ((u[i + 1] & 0x3Fu) << 12) | ((u[i + 2] & 0x3Fu) << 6) |
                   (u[i + 3] & 0x3Fu);
      if (v >= 0x10000 && v <= 0x10FFFF) {
        cp = v;
        len = 4;
      }
    }
    out.push_back(Char{cp, static_cast<uint32_t>(i)});
    i += len;
  }
  return out;
}

class Splitter {
 public:
  Splitter(PreTokenizerKind kind, std::string_view text)
      : kind_(kind), text_(text), c_(decode_utf8(text)), n_(c_.size()) {}

  std::vector<std::string_view> run() {
    std::vector<std::string_view> out;
    size_t i = 0;
    while (i < n_) {
      size_t j = match(i);
      if (j <= i) j = i + 1;  // cannot happen: every char is L, N, space or other
      size_t b = c_[i].offset, e = j < n_ ? c_[j].offset : text_.size();
      out.push_back(text_.substr(b, e - b));
      i = j;
    }
    return out;
  }

 private:
  uint32_t at(size_t i) const { return i < n_ ? c_[i].cp : 0xFFFFFFFF; }
  bool L(size_t i) const { return i < n_ && is_unicode_letter(c_[i].cp); }
  bool N(size_t i) const { return i < n_ && is_unicode_number(c_[i].cp); }
  bool S(size_t i) const { return i < n_ && is_unicode_space(c_[i].cp); }
  bool other(size_t i) const { return i < n_ && !L(i) && !N(i) && !S(i); }
  bool newline(size_t i) const { return at(i) == '\r' || at(i) == '\n'; }
  static uint32_t lower(uint32_t cp) { return cp >= 'A' && cp <= 'Z' ? cp + 32 : cp; }

  // 's|'t|'re|'ve|'m|'ll|'d, optionally ASCII case-insensitive; returns the end or `i`.
  size_t contraction(size_t i, bool ci) const {
    if (at(i) != '\'') return i;
    auto f = [&](size_t k) { return ci ? lower(at(k)) : at(k); };
    uint32_t a = f(i + 1), b = f(i + 2);
    if (a == 's' || a == 't') return i + 2;
    if ((a == 'r' && b == 'e') || (a == 'v' && b == 'e')) return i + 3;
    if (a == 'm') return i + 2;
    if (a == 'l' && b == 'l') return i + 3;
    if (a == 'd') return i + 2;
    return i;
  }
  size_t run_of(size_t i, bool (Splitter::*pred)(size_t) const) const {
    while (i < n_ && (this->*pred)(i)) ++i;
    return i;
  }
  // \s+(?!\S) then \s+
  size_t spaces(size_t i) const {
    size_t j = run_of(i, &Splitter::S);
    if (j == n_) return j;
    if (j - i >= 2) return j - 1;
    return j;
  }

  size_t match(size_t i) const {
    if (kind_ == PreTokenizerKind::kGpt2) {
      if (size_t j = contraction(i, false); j > i) return j;
      size_t k = at(i) == ' ' ? i + 1 : i;
      if (L(k)) return run_of(k, &Splitter::L);
      if (N(k)) return run_of(k, &Splitter::N);
      if (other(k)) return run_of(k, &Splitter::other);
      return spaces(i);
    }
    if (size_t j = contraction(i, true); j > i) return j;
    // [^\r\n\p{L}\p{N}]?\p{L}+
    if (!newline(i) && !L(i) && !N(i) && i < n_ && L(i + 1)) return run_of(i + 1, &Splitter::L);
    if (L(i)) return run_of(i, &Splitter::L);
    // \p{N} or \p{N}{1,3}
    if (N(i)) {
      size_t max = kind_ == PreTokenizerKind::kLlama3 ? 3 : 1;
      size_t j = i;
      while (j < n_ && j - i < max && N(j)) ++j;
      return j;
    }
    // ' ?[^\s\p{L}\p{N}]+[\r\n]*'
    size_t k = at(i) == ' ' ? i + 1 : i;
    if (other(k)) {
      size_t j = run_of(k, &Splitter::other);
      return run_of(j, &Splitter::newline);
    }
    // \s*[\r\n]+ : up to the last newline of the whitespace run
    size_t j = run_of(i, &Splitter::S);
    for (size_t p = j; p > i; --p) {
      if (newline(p - 1)) return p;
    }
    return spaces(i);
  }

  PreTokenizerKind kind_;
  std::string_view text_;
  std::vector<Char> c_;
  size_t n_;
};

}  // namespace

std::string_view pre_tokenizer_name(PreTokenizerKind kind) {
  switch (kind) {
    case PreTokenizerKind::kGpt2: return "gpt2";
    case PreTokenizerKind::kQwen2: return "qwen2";
    case PreTokenizerKind::kLlama3: return "llama3";
  }
  return "?";
}

bool is_unicode_letter(uint32_t cp) { return in_ranges(kLetterRanges, cp); }
bool is_unicode_number(uint32_t cp) { return in_ranges(kNumberRanges, cp); }
bool is_unicode_space(uint32_t cp) { return in_ranges(kSpaceRanges, cp); }

std::vector<std::string_view> pre_tokenize(PreTokenizerKind kind, std::string_view text) {
  return Splitter(kind, text).run();
}

}  // namespace alignwatch::runtime
