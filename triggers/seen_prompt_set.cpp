#include "triggers/seen_prompt_set.h"

#include <functional>
#include <string_view>

namespace alignwatch::triggers {

SeenPromptSet::SeenPromptSet(size_t capacity_log2)
    : slots_(size_t{1} << capacity_log2, 0),
      mask_((size_t{1} << capacity_log2) - 1),
      max_used_((size_t{3} << capacity_log2) / 4) {}

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
