#pragma once
// A blocked Bloom filter of the n-grams that have an exact entry in NgramCountTable, i.e. that
// occurred in a flagged record. Most n-grams of clean records never did; for them one bit test
// in a small array replaces a probe of the larger table. Two bits per key in one 64-bit word
// (one cache line touched); at 16 bits per key about 1% of absent keys pass, and a passing key
// only costs the table probe it would have cost anyway. No false negatives.

#include <cstddef>
#include <cstdint>
#include <vector>

namespace alignwatch::triggers {

class FlaggedNgramFilter {
 public:
  /// Empties the filter and sizes it for `expected_keys` keys (16 bits each, 64 at least).
  void reset(size_t expected_keys);

  void add(uint64_t key) { words_[word_index(key)] |= bits_of(key); }

  /// False only if `key` was never added since the last reset.
  bool may_contain(uint64_t key) const {
    const uint64_t bits = bits_of(key);
    return (words_[word_index(key)] & bits) == bits;
  }

  // always_inline: GCC takes a function that only prefetches for a const one, and a call to
  // it whose (void) result is unused is deleted, prefetch and all, unless it was inlined first.
  [[gnu::always_inline]] void prefetch(uint64_t key) const {
    __builtin_prefetch(&words_[word_index(key)]);
  }

  size_t memory_bytes() const { return words_.size() * sizeof(uint64_t); }

 private:
  // Bits 32..63 pick the word (the table's tag uses bits 0..31), bits 20..31 the two bits.
  size_t word_index(uint64_t key) const {
    return static_cast<size_t>(((key >> 32) * word_count_) >> 32);
  }
  static uint64_t bits_of(uint64_t key) {
    return (uint64_t{1} << ((key >> 20) & 63)) | (uint64_t{1} << ((key >> 26) & 63));
  }

  std::vector<uint64_t> words_ = std::vector<uint64_t>(1, 0);
  // words_.size(), kept apart: every lookup needs it, and the vector has only its end pointer.
  uint64_t word_count_ = 1;
};

}  // namespace alignwatch::triggers
