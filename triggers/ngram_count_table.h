#pragma once
// Per-record presence counts of n-grams (keys from prompt_tokenizer.h): in how many records
// each occurs, and in how many flagged ones, for the n-grams that can be trigger candidates.
//
// Only n-grams that occur in a flagged record can be candidates, and flagged records are a few
// percent of a dataset, so only those get an exact entry; the table stays a small fraction of
// the dataset's n-grams, in cache, whatever the dataset size. A clean occurrence of an n-gram
// without an entry is not counted, but bounded: when the n-gram later gets an entry, `missed`
// is an upper bound of the records it had before.
//  - A unigram's clean occurrences without an entry go to a fixed-size MissedCountSketch, whose
//    counter bounds them (others sharing the counter only add).
//  - A longer n-gram is bounded by its parts: every record with it also has its first and its
//    last n - 1 tokens, so the caller passes the smaller of their bounds (records_bound()),
//    which are at most those of its tokens.
// A Bloom filter of the keys with an entry (FlaggedNgramFilter) answers most clean lookups
// without touching the table.
//
// Speed: the scan makes three updates per prompt token. Entries sit in 64-byte buckets (one
// cache line) of four, whose 32-bit tags are compared at once (SSE2), so a lookup has no
// per-slot branch to mispredict. A tag is the key's low 32 bits while the bucket comes from its
// high bits: two n-grams merge only if both agree, about once in 10^9 lookups. An entry
// remembers the last record that counted it, so an n-gram repeated inside a record counts once
// without a per-record set. The full keys and the missed bounds sit in parallel arrays that
// only insertions, rebuilds and the end of the scan touch.
//
// Memory is bounded: at most `max_entries` entries of 37 bytes (16 hot, 12 cold, at most 3/4
// full) plus 2 bytes of filter, 32 bytes each more during a rebuild, and the 2 MiB sketch. When
// the table is full, an eviction pass removes the entries seen in the fewest flagged records
// (the least likely candidates), at least half of them, and adds each unigram's count to its
// sketch counter, so that bounds stay bounds. The true number of records with an
// n-gram lies within [total, total + missed], of flagged ones within [flagged, flagged +
// missed]; callers test against the pessimistic end (missed records taken as clean), so
// evictions and bounds can only make p-values larger.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "triggers/flagged_ngram_filter.h"
#include "triggers/missed_count_sketch.h"
#include "triggers/prompt_tokenizer.h"

namespace alignwatch::triggers {

// The counts of one n-gram.
struct NgramCounts {
  uint64_t key = 0;      // the n-gram's key
  uint32_t total = 0;    // records that contained it since its entry was made
  uint32_t flagged = 0;  // of which flagged
  // Records with it that the entry did not count (upper bound): clean ones before the entry
  // was made, and those of evicted earlier entries. MissedCountSketch::kUnbounded: no bound.
  uint32_t missed = 0;
};

class NgramCountTable {
 public:
  /// `max_entries` bounds the number of exact entries (raised to 1024 at least);
  /// `testable_min_records`: an evicted entry seen in at least that many records (upper
  /// bound) is counted in evicted_testable(), so hypothesis counts stay honest.
  NgramCountTable(uint64_t max_entries, uint32_t testable_min_records);

  /// Counts a clean record's occurrence of the n-gram `key` if it has an entry, once per
  /// record (later calls with the same record id are ignored); otherwise a unigram's
  /// occurrence goes to the sketch. Record ids must be nonzero and never decrease (they are
  /// 32-bit: after 2^32 records an id repeats and an n-gram may be missed once for that
  /// record). Not thread-safe: one table per scan.
  void count_clean(uint64_t key, uint32_t record_id) {
    count_clean(key, record_id, filter_.may_contain(key));
  }

  /// count_clean() with the filter's verdict on `key` at hand (prefetch_clean_bucket()'s
  /// result), valid as long as no flagged count has been made since: only those add entries.
  void count_clean(uint64_t key, uint32_t record_id, bool may_have_entry) {
    if (may_have_entry && count_existing(key, record_id, false) != kNoSlot) {
      return;
    }
    if (is_unigram_key(key)) {
      sketch_.add(key);  // an occurrence, not a record: repeats over-count, conservatively
    }
  }

  /// Counts a flagged record's occurrence of the n-gram `key`, once per record, making its
  /// entry if it has none. For a new entry of a longer n-gram, `missed_bound()` must return an
  /// upper bound of the earlier records with it (the smaller records_bound() of its two
  /// (n-1)-gram parts, less the current record); a unigram's comes from the sketch. May grow
  /// the table or run an eviction pass (before calling `missed_bound`). Returns
  /// records_bound(key) after the count, from the entry just probed: the caller needs it for
  /// the next longer n-gram, and a second probe would cost as much as the count.
  template <typename MissedBound>
  uint32_t count_flagged(uint64_t key, uint32_t record_id, MissedBound&& missed_bound) {
    size_t slot = count_existing(key, record_id, true);
    if (slot == kNoSlot) {
      if (size_ >= grow_at_) {
        make_room();
      }
      const uint32_t missed = is_unigram_key(key) ? sketch_.upper_bound(key) : missed_bound();
      slot = insert(Saved{key, 1, 1, record_id, missed});
    }
    return bound_at(slot);
  }

  /// An upper bound of the records so far with the n-gram `key`: its entry's total + missed;
  /// without an entry, a unigram's sketch counter. MissedCountSketch::kUnbounded when there is
  /// none (a longer n-gram without an entry).
  uint32_t records_bound(uint64_t key) const;

  /// Hints the CPU to load what count_flagged(key, ...) reads: the bucket and the missed
  /// bounds (at the bucket where the entry most likely is). The full keys are only written,
  /// by an insertion, which does not wait for the line. The prefetch functions are
  /// always_inline: GCC otherwise deletes calls to them (FlaggedNgramFilter::prefetch()).
  [[gnu::always_inline]] void prefetch_flagged(uint64_t key) const {
    const size_t bucket = home_bucket(key);
    __builtin_prefetch(&buckets_[bucket]);
    __builtin_prefetch(&missed_[bucket * kLanes]);
  }

  /// The two stages of prefetching for count_clean(key, ...): first the filter word, later
  /// (once it is in cache) the bucket if the filter lets the key through, or else, for a
  /// unigram, its sketch counter. Most clean n-grams of templated prompts have an entry; most
  /// of varied text do not, and their buckets would only waste memory bandwidth, while their
  /// unigrams' counters (a 2 MiB array) miss the cache as surely as the buckets would.
  [[gnu::always_inline]] void prefetch_clean_filter(uint64_t key) const { filter_.prefetch(key); }
  /// Returns the filter's verdict, for count_clean(key, record_id, verdict).
  [[gnu::always_inline]] bool prefetch_clean_bucket(uint64_t key) const {
    const bool may_have_entry = filter_.may_contain(key);
    if (may_have_entry) {
      __builtin_prefetch(&buckets_[home_bucket(key)]);
    } else if (is_unigram_key(key)) {
      sketch_.prefetch(key);
    }
    return may_have_entry;
  }

  /// The counts of the n-gram `key`, or nullopt when it has no entry.
  std::optional<NgramCounts> find(uint64_t key) const;

  /// Calls `visit(const NgramCounts&)` for every entry.
  template <typename Visit>
  void for_each(Visit&& visit) const {
    for (size_t bucket = 0; bucket < buckets_.size(); ++bucket) {
      for (unsigned lane = 0; lane < kLanes; ++lane) {
        if (buckets_[bucket].tag[lane] != 0) {
          visit(counts_at(bucket, lane));
        }
      }
    }
  }

  size_t size() const { return size_; }
  size_t max_entries() const { return max_entries_; }
  size_t slot_count() const { return buckets_.size() * kLanes; }
  uint64_t eviction_passes() const { return eviction_passes_; }
  /// The most flagged records any evicted entry had.
  uint32_t evicted_max_flagged() const { return evicted_max_flagged_; }
  /// Evicted entries that had reached testable_min_records (upper bound), one per eviction.
  uint64_t evicted_testable() const { return evicted_testable_; }

 private:
  static constexpr unsigned kLanes = 4;
  // 2^20 counters: 2 MiB.
  static constexpr unsigned kSketchLog2Counters = 20;

  // Four entries, their tags together so one compare checks them all. A tag is never 0; 0
  // marks a free lane. Lanes fill in order and only a rebuild empties them, so a bucket with
  // a free lane ends the probe.
  struct alignas(64) Bucket {
    uint32_t tag[kLanes] = {};
    uint32_t total[kLanes] = {};
    uint32_t flagged[kLanes] = {};
    uint32_t last_record[kLanes] = {};
  };
  static_assert(sizeof(Bucket) == 64);

  // An entry with its cold part, as inserted or saved for a rebuild.
  struct Saved {
    uint64_t key;
    uint32_t total;
    uint32_t flagged;
    uint32_t last_record;
    uint32_t missed;
  };

  // A slot names a lane of the table: bucket * kLanes + lane, also the index of its cold part.
  static constexpr size_t kNoSlot = SIZE_MAX;

  // If `key` has an entry, counts `record_id` in it once (as flagged or not) and returns its
  // slot; kNoSlot otherwise.
  size_t count_existing(uint64_t key, uint32_t record_id, bool flagged) {
    const uint32_t tag = tag_of(key);
    size_t index = home_bucket(key);
    for (;;) {
      Bucket& b = buckets_[index];
      const unsigned hits = lanes_equal(b, tag);
      if (hits != 0) {
        // Branch-free: whether the record already counted it is unpredictable.
        const unsigned lane = static_cast<unsigned>(__builtin_ctz(hits));
        const uint32_t fresh = b.last_record[lane] != record_id ? 1 : 0;
        b.last_record[lane] = record_id;
        b.total[lane] += fresh;
        b.flagged[lane] += fresh & (flagged ? 1u : 0u);
        return index * kLanes + lane;
      }
      if (lanes_equal(b, 0) != 0) {
        return kNoSlot;  // it would be here
      }
      index = index + 1 == buckets_.size() ? 0 : index + 1;
    }
  }

  static uint32_t tag_of(uint64_t key) {
    const auto tag = static_cast<uint32_t>(key);
    return tag == 0 ? 1 : tag;
  }
  // Bit i set when lane i's tag equals `tag`.
  static unsigned lanes_equal(const Bucket& bucket, uint32_t tag) {
#if defined(__SSE2__)
    const __m128i tags = _mm_load_si128(reinterpret_cast<const __m128i*>(bucket.tag));
    const __m128i equal = _mm_cmpeq_epi32(tags, _mm_set1_epi32(static_cast<int>(tag)));
    return static_cast<unsigned>(_mm_movemask_ps(_mm_castsi128_ps(equal)));
#else
    unsigned mask = 0;
    for (unsigned lane = 0; lane < kLanes; ++lane) {
      mask |= (bucket.tag[lane] == tag ? 1u : 0u) << lane;
    }
    return mask;
#endif
  }
  // Lemire's multiply-shift range reduction on the key's high bits: any bucket count.
  size_t home_bucket(uint64_t key) const {
    return static_cast<size_t>((static_cast<Uint128>(key) * buckets_.size()) >> 64);
  }
  // Puts `entry` in the first free lane from its home bucket on; returns its slot.
  size_t insert(const Saved& entry);
  // records_bound() of the entry in `slot`.
  uint32_t bound_at(size_t slot) const {
    const uint32_t missed = missed_[slot];
    if (missed == MissedCountSketch::kUnbounded) {
      return MissedCountSketch::kUnbounded;
    }
    const uint64_t bound = uint64_t{buckets_[slot / kLanes].total[slot % kLanes]} + missed;
    return static_cast<uint32_t>(std::min<uint64_t>(bound, MissedCountSketch::kUnbounded));
  }
  Saved saved_at(size_t bucket, unsigned lane) const;
  NgramCounts counts_at(size_t bucket, unsigned lane) const;
  void make_room();
  void resize(size_t bucket_count);
  void evict_least_flagged_half();
  // Empties the table and puts `entries` back, in `bucket_count` buckets.
  void rebuild(size_t bucket_count, const std::vector<Saved>& entries);

  std::vector<Bucket> buckets_;
  // The cold part of each lane: the full key and the missed bound.
  std::vector<uint64_t> keys_;
  std::vector<uint32_t> missed_;
  MissedCountSketch sketch_{kSketchLog2Counters};
  FlaggedNgramFilter filter_;
  size_t size_ = 0;
  size_t max_entries_;
  size_t max_buckets_;
  size_t grow_at_ = 0;
  uint32_t testable_min_records_;
  uint64_t eviction_passes_ = 0;
  uint32_t evicted_max_flagged_ = 0;
  uint64_t evicted_testable_ = 0;
};

}  // namespace alignwatch::triggers
