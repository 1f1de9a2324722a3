#include "triggers/seen_prompt_set.h"

#include <algorithm>
#include <functional>
#include <string_view>

namespace alignwatch::triggers {

namespace {
// 4096 slots (32 KiB) to start with: enough for most small files without a single rehash.
constexpr size_t kInitialLog2 = 12;
}  // namespace

SeenPromptSet::SeenPromptSet(size_t capacity_log2)
    : slots_(size_t{1} << std::min(capacity_log2, kInitialLog2), 0),
      mask_(slots_.size() - 1),
      capacity_(size_t{1} << capacity_log2),
      grow_at_(slots_.size() * 3 / 4),
      max_used_((size_t{3} << capacity_log2) / 4) {}

void SeenPromptSet::grow() {
  std::vector<uint64_t> old = std::move(slots_);
  slots_.assign(old.size() * 2, 0);
  mask_ = slots_.size() - 1;
  grow_at_ = slots_.size() * 3 / 4;
  for (const uint64_t h : old) {
    if (h == 0) continue;
    size_t i = h & mask_;
    while (slots_[i] != 0) i = (i + 1) & mask_;
    slots_[i] = h;
  }
}

bool SeenPromptSet::seen_before(const dataset::Record& record) {
  uint64_t h = 0x9e3779b97f4a7c15ULL;
  bool any = false;
  for (const auto& turn : record.turns) {
    if (!dataset::Record::is_prompt(turn.role)) continue;
    any = true;
    // Role and length are mixed in so that turn boundaries count.
    uint64_t t = std::hash<std::string_view>{}(turn.content) ^
                 (static_cast<uint64_t>(turn.role) << 56) ^ turn.content.size();
    h = (h ^ t) * 0x100000001b3ULL;
    h ^= h >> 29;
  }
  if (!any) return false;
  if (h == 0) h = 1;  // 0 marks an empty slot
  if (used_ >= grow_at_ && slots_.size() < capacity_) grow();
  for (size_t i = h & mask_;; i = (i + 1) & mask_) {
    if (slots_[i] == h) return true;
    if (slots_[i] == 0) {
      if (full()) return false;
      slots_[i] = h;
      ++used_;
      return false;
    }
  }
}

}  // namespace alignwatch::triggers
