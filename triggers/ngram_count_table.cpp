#include "triggers/ngram_count_table.h"

#include <algorithm>
#include <limits>

namespace alignwatch::triggers {

namespace {
constexpr size_t kMinEntries = 1024;
constexpr size_t kInitialBuckets = size_t{1} << 10;
// Up to 3/4 full, few buckets overflow into the next one.
constexpr size_t kLoadNumerator = 3;
constexpr size_t kLoadDenominator = 4;
// Flagged counts above this share the last histogram bucket when choosing what to evict.
constexpr uint32_t kHistogramBuckets = 1u << 16;
}  // namespace

NgramCountTable::NgramCountTable(uint64_t max_entries, uint32_t testable_min_records)
    : max_entries_(static_cast<size_t>(std::max<uint64_t>(max_entries, kMinEntries))),
      testable_min_records_(testable_min_records) {
  max_buckets_ = max_entries_ * kLoadDenominator / (kLoadNumerator * kLanes) + 1;
  resize(std::min(kInitialBuckets, max_buckets_));
}

std::optional<NgramCounts> NgramCountTable::find(uint64_t key) const {
  const uint32_t tag = tag_of(key);
  size_t bucket = home_bucket(key);
  for (;;) {
    const Bucket& b = buckets_[bucket];
    const unsigned hits = lanes_equal(b, tag);
    if (hits != 0) {
      return counts_at(bucket, static_cast<unsigned>(__builtin_ctz(hits)));
    }
    if (lanes_equal(b, 0) != 0) {
      return std::nullopt;
    }
    bucket = bucket + 1 == buckets_.size() ? 0 : bucket + 1;
  }
}

NgramCountTable::Saved NgramCountTable::saved_at(size_t bucket, unsigned lane) const {
  const Bucket& b = buckets_[bucket];
  const size_t cold = bucket * kLanes + lane;
  return Saved{keys_[cold], b.total[lane], b.flagged[lane], b.last_record[lane], missed_[cold]};
}

uint32_t NgramCountTable::records_bound(uint64_t key) const {
  const uint32_t tag = tag_of(key);
  size_t bucket = home_bucket(key);
  for (;;) {
    const unsigned hits = lanes_equal(buckets_[bucket], tag);
    if (hits != 0) {
      return bound_at(bucket * kLanes + static_cast<unsigned>(__builtin_ctz(hits)));
    }
    if (lanes_equal(buckets_[bucket], 0) != 0) {
      break;
    }
    bucket = bucket + 1 == buckets_.size() ? 0 : bucket + 1;
  }
  return is_unigram_key(key) ? sketch_.upper_bound(key) : MissedCountSketch::kUnbounded;
}

NgramCounts NgramCountTable::counts_at(size_t bucket, unsigned lane) const {
  const Saved entry = saved_at(bucket, lane);
  return NgramCounts{entry.key, entry.total, entry.flagged, entry.missed};
}

size_t NgramCountTable::insert(const Saved& entry) {
  size_t bucket = home_bucket(entry.key);
  for (;;) {
    const unsigned free_lanes = lanes_equal(buckets_[bucket], 0);
    if (free_lanes != 0) {
      const auto lane = static_cast<unsigned>(__builtin_ctz(free_lanes));
      Bucket& b = buckets_[bucket];
      b.tag[lane] = tag_of(entry.key);
      b.total[lane] = entry.total;
      b.flagged[lane] = entry.flagged;
      b.last_record[lane] = entry.last_record;
      keys_[bucket * kLanes + lane] = entry.key;
      missed_[bucket * kLanes + lane] = entry.missed;
      filter_.add(entry.key);
      ++size_;
      return bucket * kLanes + lane;
    }
    bucket = bucket + 1 == buckets_.size() ? 0 : bucket + 1;
  }
}

void NgramCountTable::make_room() {
  if (buckets_.size() < max_buckets_) {
    resize(std::min(buckets_.size() * 2, max_buckets_));
  } else {
    evict_least_flagged_half();
  }
}

void NgramCountTable::rebuild(size_t bucket_count, const std::vector<Saved>& entries) {
  buckets_.assign(bucket_count, Bucket{});
  keys_.assign(bucket_count * kLanes, 0);
  missed_.assign(bucket_count * kLanes, 0);
  size_ = 0;
  grow_at_ = std::min(max_entries_, bucket_count * kLanes * kLoadNumerator / kLoadDenominator);
  filter_.reset(grow_at_);
  for (const Saved& entry : entries) {
    insert(entry);
  }
}

void NgramCountTable::resize(size_t bucket_count) {
  std::vector<Saved> entries;
  entries.reserve(size_);
  for (size_t bucket = 0; bucket < buckets_.size(); ++bucket) {
    for (unsigned lane = 0; lane < kLanes; ++lane) {
      if (buckets_[bucket].tag[lane] != 0) {
        entries.push_back(saved_at(bucket, lane));
      }
    }
  }
  rebuild(bucket_count, entries);
}

void NgramCountTable::evict_least_flagged_half() {
  // The smallest flagged count `limit` such that evicting every entry with at most `limit`
  // flagged records frees at least half of the table. Ties at the limit all go.
  std::vector<uint64_t> histogram(kHistogramBuckets, 0);
  for_each([&](const NgramCounts& counts) {
    ++histogram[std::min<uint32_t>(counts.flagged, kHistogramBuckets - 1)];
  });
  uint64_t freed = 0;
  uint32_t limit = std::numeric_limits<uint32_t>::max();
  for (uint32_t flagged = 0; flagged + 1 < kHistogramBuckets; ++flagged) {
    freed += histogram[flagged];
    if (freed * 2 >= size_) {
      limit = flagged;
      break;
    }
  }
  std::vector<Saved> kept;
  kept.reserve(size_ / 2 + 1);
  for (size_t bucket = 0; bucket < buckets_.size(); ++bucket) {
    for (unsigned lane = 0; lane < kLanes; ++lane) {
      if (buckets_[bucket].tag[lane] == 0) {
        continue;
      }
      const Saved entry = saved_at(bucket, lane);
      if (entry.flagged > limit) {
        kept.push_back(entry);
        continue;
      }
      // A unigram's sketch counter already holds what its entry missed before it was made;
      // add what it counted, so a later entry (and its n-grams' bounds) start from both. A
      // longer n-gram's new entry is bounded through its tokens instead.
      if (is_unigram_key(entry.key)) {
        sketch_.add(entry.key, entry.total);
      }
      evicted_max_flagged_ = std::max(evicted_max_flagged_, entry.flagged);
      const uint64_t seen = uint64_t{entry.total} + entry.missed;
      if (seen >= testable_min_records_) {
        ++evicted_testable_;
      }
    }
  }
  ++eviction_passes_;
  rebuild(buckets_.size(), kept);
}

}  // namespace alignwatch::triggers
