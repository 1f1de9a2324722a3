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
#include <cstring>
#include <span>
#include <string_view>
#include <vector>

namespace alignwatch::scan::python {

class NameTable {
 public:
  // The hash the table expects: the bytes 8 at a time, each word folded in by one 64x64->128
  // multiply, so a short name costs one multiply where a byte-wise hash (FNV-1a) put one per
  // byte on the lexer's critical path. Ids do not depend on it (they follow the order names
  // are first seen), only where names sit in the table.
  static uint64_t hash(std::string_view text) { return hash(text, text.size()); }
  // hash(text), when `readable` >= text.size() bytes may be read from text.data(): with 8 or
  // more, the last word is one load and a mask instead of a loop over its bytes.
  static uint64_t hash(std::string_view text, size_t readable) {
    const char* data = text.data();
    const size_t size = text.size();
    uint64_t h = kHashSeed ^ size;
    size_t i = 0;
    for (; i + 8 < size; i += 8) h = fold_multiply(h ^ load64(data + i), kHashMultiplier);
    const size_t rest = size - i;  // 1..8 bytes, 0 for the empty text
    uint64_t last = 0;
    if (readable - i >= 8) {
      last = load64(data + i) & (rest >= 8 ? ~uint64_t{0} : (uint64_t{1} << (8 * rest)) - 1);
    } else {
      for (size_t k = 0; k < rest; ++k) {
        last |= uint64_t{static_cast<unsigned char>(data[i + k])} << (8 * k);
      }
    }
    return fold_multiply(h ^ last, kHashMultiplier);
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
  static constexpr uint64_t kHashSeed = 0xcbf29ce484222325ULL;
  static constexpr uint64_t kHashMultiplier = 0x9e3779b97f4a7c15ULL;
  // (a * b) folded to 64 bits: both halves of the 128-bit product mix every input bit.
  static uint64_t load64(const char* p) {
    uint64_t word;
    std::memcpy(&word, p, 8);
    return word;
  }
  static uint64_t fold_multiply(uint64_t a, uint64_t b) {
    __extension__ typedef unsigned __int128 Product;
    const Product product = static_cast<Product>(a) * b;
    return static_cast<uint64_t>(product) ^ static_cast<uint64_t>(product >> 64);
  }

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
