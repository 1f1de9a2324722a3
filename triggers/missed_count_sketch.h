#pragma once
// Upper bounds, per unigram, of the records that NgramCountTable did not count: a count-min
// sketch (one row of 16-bit saturating counters). Only n-grams seen in a flagged record get an
// exact table entry; this sketch takes the clean occurrences of the unigrams without one (most
// of a large dataset's), and the counts of unigram entries the table evicts. A counter can only
// over-count (others sharing it add to it), so when a unigram gets an entry its counter bounds
// what the table missed, and statistics built on that bound stay conservative.

#include <cstddef>
#include <cstdint>
#include <vector>

namespace alignwatch::triggers {

class MissedCountSketch {
 public:
  /// 2^`log2_counters` counters of 2 bytes each.
  explicit MissedCountSketch(unsigned log2_counters);

  /// A counter that saturated bounds nothing.
  static constexpr uint32_t kUnbounded = UINT32_MAX;

  /// Adds `count` records to the n-gram with hash `hash` (saturating).
  void add(uint64_t hash, uint32_t count = 1) {
    uint16_t& counter = counters_[index(hash)];
    const uint32_t sum = uint32_t{counter} + count;
    counter = static_cast<uint16_t>(sum < UINT16_MAX && sum >= count ? sum : UINT16_MAX);
  }

  /// An upper bound of the records added for `hash`, or kUnbounded.
  uint32_t upper_bound(uint64_t hash) const {
    const uint16_t counter = counters_[index(hash)];
    return counter == UINT16_MAX ? kUnbounded : counter;
  }

  // always_inline: see FlaggedNgramFilter::prefetch().
  [[gnu::always_inline]] void prefetch(uint64_t hash) const {
    __builtin_prefetch(&counters_[index(hash)]);
  }

  size_t memory_bytes() const { return counters_.size() * sizeof(uint16_t); }

 private:
  // A fold of the hash's middle bits: the table's tag is the low 32 bits and its bucket comes
  // from the highest ones.
  size_t index(uint64_t hash) const {
    return static_cast<size_t>(((hash >> 32) ^ (hash >> 12)) & mask_);
  }

  std::vector<uint16_t> counters_;
  uint64_t mask_;
};

}  // namespace alignwatch::triggers
