#pragma once
// Remembers which prompts trigger mining has already counted. Exact duplicate records are
// common in fine-tuning data (recycled examples, templated rows); counting each copy would let
// one duplicated flagged record make its own words look "tied to flagged rows". A poisoner's
// records carry the trigger in different prompts, so counting distinct prompts loses nothing.
//
// Bounded memory: an open-addressing table of 64-bit prompt hashes. It starts small and doubles
// up to its capacity, so that a file of a few thousand records neither clears nor touches
// 16 MiB (the clearing, page faults and cache misses cost more than the whole dedup). When it
// is full, new prompts are no longer remembered (they are all counted), which only weakens
// deduplication.

#include <cstdint>
#include <vector>

#include "scanners/dataset/record.h"

namespace alignwatch::triggers {

class SeenPromptSet {
 public:
  explicit SeenPromptSet(size_t capacity_log2 = 21);  // up to 2^21 slots, 16 MiB
  // True when the record's prompt turns (system, user, raw text) were seen before; remembers
  // them otherwise. Records without a prompt are never duplicates.
  bool seen_before(const dataset::Record& record);
  bool full() const { return used_ >= max_used_; }

 private:
  // Moves the hashes into twice as many slots.
  void grow();

  std::vector<uint64_t> slots_;  // 0 = empty
  size_t mask_;
  size_t capacity_;  // the most slots the table may have
  size_t used_ = 0;
  size_t grow_at_;   // a load factor of 3/4 keeps probes short
  size_t max_used_;  // the same load at full capacity
};

}  // namespace alignwatch::triggers
