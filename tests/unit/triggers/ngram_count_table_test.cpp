#include "triggers/ngram_count_table.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <unordered_map>

#include "triggers/flagged_ngram_filter.h"
#include "triggers/missed_count_sketch.h"
#include "triggers/prompt_tokenizer.h"

namespace alignwatch::triggers {
namespace {

// Keys are hashes in real use; spread the test's small integers the same way.
uint64_t mixed(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}
uint64_t unigram(uint64_t x) { return unigram_key(mixed(x)); }
uint64_t bigram(uint64_t x, uint64_t y) { return extend_ngram_key(unigram(x), mixed(y)); }

constexpr auto kNoBound = [] { return MissedCountSketch::kUnbounded; };

TEST(NgramCountTable, CountsPresencePerRecordForNgramsSeenFlagged) {
  NgramCountTable table(1 << 16, 3);
  const uint64_t word = unigram(42);
  table.count_clean(word, 1);  // no entry yet: only the sketch counts it
  table.count_clean(word, 1);
  EXPECT_FALSE(table.find(word).has_value());
  EXPECT_EQ(table.records_bound(word), 2u);  // occurrences: an over-count of records
  table.count_flagged(word, 2, kNoBound);    // first flagged record: the entry is made
  table.count_flagged(word, 3, kNoBound);
  table.count_flagged(word, 3, kNoBound);  // same record: ignored
  table.count_clean(word, 4);
  const auto entry = table.find(word);
  ASSERT_TRUE(entry.has_value());
  EXPECT_EQ(entry->key, word);
  EXPECT_EQ(entry->total, 3u);    // records 2, 3, 4
  EXPECT_EQ(entry->flagged, 2u);  // records 2, 3
  EXPECT_EQ(entry->missed, 2u);   // record 1, bounded by the sketch's two occurrences
  EXPECT_EQ(table.records_bound(word), 5u);
  EXPECT_FALSE(table.find(unigram(43)).has_value());
  EXPECT_EQ(table.size(), 1u);
}

TEST(NgramCountTable, LongerNgramsAreBoundedByTheCaller) {
  NgramCountTable table(1 << 16, 3);
  const uint64_t pair = bigram(1, 2);
  table.count_clean(pair, 1);  // not counted, not sketched: its tokens bound it
  EXPECT_FALSE(table.find(pair).has_value());
  uint32_t asked = 0;
  table.count_flagged(pair, 2, [&] {
    ++asked;
    return 7u;
  });
  table.count_flagged(pair, 3, [&] {
    ++asked;
    return 9u;
  });
  EXPECT_EQ(asked, 1u);  // only when the entry is made
  const auto entry = table.find(pair);
  ASSERT_TRUE(entry.has_value());
  EXPECT_EQ(entry->total, 2u);
  EXPECT_EQ(entry->flagged, 2u);
  EXPECT_EQ(entry->missed, 7u);
  size_t visited = 0;
  table.for_each([&](const NgramCounts& counts) {
    ++visited;
    EXPECT_EQ(counts.key, pair);
  });
  EXPECT_EQ(visited, 1u);
}

TEST(NgramCountTable, GrowsWithoutLosingCounts) {
  NgramCountTable table(1 << 20, 3);
  std::mt19937_64 rng(1);
  std::vector<uint64_t> keys(200000);
  for (auto& key : keys) {
    key = unigram_key(rng());
  }
  for (uint32_t record = 1; record <= 3; ++record) {
    for (uint64_t key : keys) {
      if (record == 1) {
        table.count_flagged(key, record, kNoBound);
      } else {
        table.count_clean(key, record);
      }
    }
  }
  EXPECT_EQ(table.size(), keys.size());
  EXPECT_EQ(table.eviction_passes(), 0u);
  for (uint64_t key : keys) {
    const auto entry = table.find(key);
    ASSERT_TRUE(entry.has_value());
    ASSERT_EQ(entry->key, key);
    ASSERT_EQ(entry->total, 3u);
    ASSERT_EQ(entry->flagged, 1u);
    ASSERT_EQ(entry->missed, 0u);
  }
}

TEST(NgramCountTable, EvictionStaysBoundedAndCountsStayConservative) {
  // A skewed stream of records of words (a few frequent, a long tail of rare ones) and their
  // bigrams through a small table, bounding bigrams by their rarer word as the miner does:
  // whatever was evicted, sketched or bounded, every entry brackets the truth.
  const size_t max_entries = 2000;
  NgramCountTable table(max_entries, 3);
  std::mt19937_64 rng(3);
  std::uniform_real_distribution<double> log_rank(0, 11);
  struct Truth {
    uint64_t total = 0;
    uint64_t flagged = 0;
    uint32_t last_record = 0;
  };
  std::unordered_map<uint64_t, Truth> truth;
  auto observe = [&](uint64_t key, uint32_t record, bool flagged) {
    Truth& t = truth[key];
    if (t.last_record != record) {
      t.last_record = record;
      ++t.total;
      t.flagged += flagged ? 1 : 0;
    }
  };
  for (uint32_t record = 1; record <= 20000; ++record) {
    const bool flagged = rng() % 10 == 0;
    uint64_t previous = 0;
    uint32_t previous_bound = 0;
    for (int i = 0; i < 8; ++i) {
      // Rank k drawn with probability about proportional to 1/k (Zipf-like).
      const uint64_t rank = static_cast<uint64_t>(std::exp(log_rank(rng)));
      const uint64_t word = unigram(rank);
      observe(word, record, flagged);
      if (flagged) {
        table.count_flagged(word, record, kNoBound);
      } else {
        table.count_clean(word, record);
      }
      const uint32_t bound = flagged ? table.records_bound(word) : 0;
      if (i > 0) {
        const uint64_t pair = extend_ngram_key(previous, mixed(rank));
        observe(pair, record, flagged);
        if (flagged) {
          const uint32_t rarest = std::min(bound, previous_bound);
          table.count_flagged(pair, record, [&] {
            return rarest == MissedCountSketch::kUnbounded ? rarest : rarest - 1;
          });
        } else {
          table.count_clean(pair, record);
        }
      }
      previous = word;
      previous_bound = bound;
      ASSERT_LE(table.size(), max_entries);
    }
  }
  EXPECT_GT(table.eviction_passes(), 0u);
  // At most 4/3 slot per entry, rounded up to whole 4-slot buckets.
  EXPECT_LE(table.slot_count() * 3, max_entries * 4 + 12);
  size_t kept = 0;
  for (const auto& [key, t] : truth) {
    const auto entry = table.find(key);
    if (t.flagged == 0) {
      EXPECT_FALSE(entry.has_value()) << "an n-gram never seen flagged has an entry";
      continue;
    }
    if (!entry) {
      continue;  // evicted
    }
    ++kept;
    EXPECT_LE(entry->total, t.total);
    EXPECT_LE(t.total, uint64_t{entry->total} + entry->missed);
    EXPECT_LE(entry->flagged, t.flagged);
    EXPECT_LE(t.flagged, uint64_t{entry->flagged} + entry->missed);
    if (is_unigram_key(key)) {
      EXPECT_LE(t.total, table.records_bound(key));
    }
  }
  EXPECT_GT(kept, max_entries / 4);
  // The most frequent word is in the most flagged records: never evicted, its flagged count
  // is exact.
  const auto top = table.find(unigram(1));
  ASSERT_TRUE(top.has_value());
  EXPECT_EQ(top->flagged, truth[unigram(1)].flagged);
  EXPECT_GE(top->flagged, 100u);
  EXPECT_GE(table.evicted_max_flagged(), 1u);
}

TEST(MissedCountSketch, NeverUndercountsAndSaturatesToUnbounded) {
  MissedCountSketch sketch(8);  // 256 counters: plenty of collisions
  std::mt19937_64 rng(5);
  std::unordered_map<uint64_t, uint64_t> added;
  for (int i = 0; i < 20000; ++i) {
    const uint64_t key = mixed(rng() % 2000);
    const uint32_t count = static_cast<uint32_t>(rng() % 3);
    sketch.add(key, count);
    added[key] += count;
  }
  for (const auto& [key, count] : added) {
    ASSERT_GE(uint64_t{sketch.upper_bound(key)}, count);
  }
  MissedCountSketch small(4);
  small.add(mixed(1), 70000);
  EXPECT_EQ(small.upper_bound(mixed(1)), MissedCountSketch::kUnbounded);
  small.add(mixed(1));  // stays saturated
  EXPECT_EQ(small.upper_bound(mixed(1)), MissedCountSketch::kUnbounded);
  EXPECT_EQ(small.memory_bytes(), 32u);
}

TEST(FlaggedNgramFilter, HasNoFalseNegativesAndFewFalsePositives) {
  FlaggedNgramFilter filter;
  filter.reset(10000);
  for (uint64_t i = 0; i < 10000; ++i) {
    filter.add(mixed(i));
  }
  for (uint64_t i = 0; i < 10000; ++i) {
    ASSERT_TRUE(filter.may_contain(mixed(i)));
  }
  size_t false_positives = 0;
  for (uint64_t i = 10000; i < 110000; ++i) {
    false_positives += filter.may_contain(mixed(i)) ? 1 : 0;
  }
  EXPECT_LT(false_positives, 3000u);  // about 1% expected
  filter.reset(10);
  EXPECT_FALSE(filter.may_contain(mixed(1)) && filter.may_contain(mixed(2)) &&
               filter.may_contain(mixed(3)));
  EXPECT_EQ(filter.memory_bytes(), 24u);
}

}  // namespace
}  // namespace alignwatch::triggers
