#include "scanners/code/name_table.h"

namespace alignwatch::scan::python {

NameTable::NameTable(std::span<const std::string_view> vocabulary) {
  size_t capacity = 64;
  while (capacity < vocabulary.size() * 4) capacity *= 2;
  slots_.resize(capacity);
  mask_ = static_cast<uint32_t>(capacity - 1);
  texts_.assign(vocabulary.begin(), vocabulary.end());
  vocabulary_size_ = size();
  for (uint32_t id = 0; id < vocabulary_size_; ++id) {
    std::string_view word = texts_[id];
    if (word.empty()) continue;
    uint64_t h = hash(word);
    uint32_t h32 = static_cast<uint32_t>(h ^ (h >> 32));
    uint32_t at = h32 & mask_;
    while (slots_[at].generation != 0) at = (at + 1) & mask_;
    slots_[at] = Slot{h32, id, kVocabularyGeneration, static_cast<uint32_t>(word.size()), word.data()};
    ++vocabulary_slots_;
  }
  live_slots_ = vocabulary_slots_;
}

void NameTable::reset() {
  texts_.resize(vocabulary_size_);
  live_slots_ = vocabulary_slots_;
  if (++generation_ == kVocabularyGeneration) {
    // Generations wrapped around: old slots could look live again, so clear them for real.
    for (auto& slot : slots_) {
      if (slot.generation != kVocabularyGeneration) slot = Slot{};
    }
    generation_ = 1;
  }
}

uint32_t NameTable::find(std::string_view text) const {
  uint64_t h = hash(text);
  uint32_t h32 = static_cast<uint32_t>(h ^ (h >> 32));
  for (uint32_t at = h32 & mask_;; at = (at + 1) & mask_) {
    const Slot& slot = slots_[at];
    if (!live(slot)) return 0;
    if (slot.hash == h32 && slot.size == text.size() && same_bytes(slot.data, text)) return slot.id;
  }
}

uint32_t NameTable::add(std::string_view text, uint32_t h32, uint32_t at) {
  uint32_t id = size();
  texts_.push_back(text);
  slots_[at] = Slot{h32, id, generation_, static_cast<uint32_t>(text.size()), text.data()};
  // Keep the table at most half full so probes stay short.
  if (++live_slots_ * 2 > slots_.size()) rehash(slots_.size() * 2);
  return id;
}

void NameTable::rehash(size_t capacity) {
  std::vector<Slot> old;
  old.swap(slots_);
  slots_.assign(capacity, Slot{});
  mask_ = static_cast<uint32_t>(capacity - 1);
  // Vocabulary first, then this source's names: every probe chain stays as it would be had the
  // names been added to a table of this size from the start.
  for (int pass = 0; pass < 2; ++pass) {
    for (const Slot& slot : old) {
      if (!live(slot)) continue;
      if ((slot.generation == kVocabularyGeneration) != (pass == 0)) continue;
      uint32_t at = slot.hash & mask_;
      while (slots_[at].generation != 0) at = (at + 1) & mask_;
      slots_[at] = slot;
    }
  }
}

}  // namespace alignwatch::scan::python
