#pragma once
// Gives every distinct identifier of a source a small integer id, so that an analysis can keep
// per-name state in arrays and compare names as integers instead of strings. A fixed
// vocabulary (the words some rule looks for: "def", "request", "execute", ...) is interned
// first and keeps the ids it was given, index in the vocabulary = id, across sources; the
// other names get ids after it, valid until the next reset(). Id 0 means "no name".
//
// Texts are string_views into the source: the source must outlive its ids. One table per
// thread; it is reused from source to source so that it allocates only when it grows.

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

namespace alignwatch::scan::python {

class NameTable {
 public:
  // The hash the table expects, computed byte by byte so a lexer can fold it into the loop
  // that finds the end of a name: h = hash_step(h, c) from kHashSeed (FNV-1a).
  static constexpr uint64_t kHashSeed = 0xcbf29ce484222325ULL;
  static uint64_t hash_step(uint64_t h, unsigned char c) { return (h ^ c) * 0x100000001b3ULL; }
  static uint64_t hash(std::string_view text) {
    uint64_t h = kHashSeed;
    for (char c : text) h = hash_step(h, static_cast<unsigned char>(c));
    return h;
  }

  // Vocabulary entries get their index as id; empty entries are skipped (index 0 is "").
  explicit NameTable(std::span<const std::string_view> vocabulary);

  // Forgets the names of the previous source; the vocabulary stays.
  void reset();

  // The id of `text`, added when new. `h` must be hash(text).
  uint32_t intern(std::string_view text, uint64_t h) {
    uint32_t h32 = static_cast<uint32_t>(h ^ (h >> 32));
    for (uint32_t at = h32 & mask_;; at = (at + 1) & mask_) {
      const Slot& slot = slots_[at];
      if (!live(slot)) return add(text, h32, at);
      if (slot.hash == h32 && slot.size == text.size() && same_bytes(slot.data, text)) return slot.id;
    }
  }
  uint32_t intern(std::string_view text) { return intern(text, hash(text)); }

  // The id of `text`, or 0 when the table has not seen it.
  uint32_t find(std::string_view text) const;

  // Ids are below size().
  uint32_t size() const { return static_cast<uint32_t>(texts_.size()); }
  std::string_view text(uint32_t id) const { return texts_[id]; }

 private:
  struct Slot {
    uint32_t hash = 0;
    uint32_t id = 0;
    uint32_t generation = 0;  // kVocabularyGeneration, or the source it belongs to
    uint32_t size = 0;        // the text, kept here so that a probe reads one cache line
    const char* data = nullptr;
  };
  static constexpr uint32_t kVocabularyGeneration = UINT32_MAX;

  // A slot of an earlier source counts as empty: reset() costs nothing.
  bool live(const Slot& slot) const {
    return slot.generation == generation_ || slot.generation == kVocabularyGeneration;
  }
  // Names are short: a byte loop beats a call to memcmp.
  static bool same_bytes(const char* a, std::string_view b) {
    for (size_t i = 0; i < b.size(); ++i) {
      if (a[i] != b[i]) return false;
    }
    return true;
  }
  uint32_t add(std::string_view text, uint32_t h32, uint32_t at);
  void rehash(size_t capacity);

  std::vector<Slot> slots_;             // open addressing, linear probing, power-of-two size
  uint32_t mask_ = 0;                   // slots_.size() - 1
  std::vector<std::string_view> texts_;  // by id
  uint32_t vocabulary_size_ = 0;         // ids below this belong to the vocabulary
  uint32_t vocabulary_slots_ = 0;
  uint32_t generation_ = 1;
  uint32_t live_slots_ = 0;
};

}  // namespace alignwatch::scan::python
