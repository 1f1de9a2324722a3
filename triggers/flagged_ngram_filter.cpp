#include "triggers/flagged_ngram_filter.h"

#include <algorithm>

namespace alignwatch::triggers {

void FlaggedNgramFilter::reset(size_t expected_keys) {
  // 16 bits per key: a quarter of a 64-bit word.
  const size_t words = std::max<size_t>(1, (expected_keys + 3) / 4);
  words_.assign(words, 0);
  word_count_ = words;
}

}  // namespace alignwatch::triggers
