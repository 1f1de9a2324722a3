#pragma once
// A compiled Hyperscan pattern set: one database that finds where each pattern's matches end,
// in one pass at Hyperscan speed, and one small database per pattern that locates a match's
// start on demand. Start-of-match tracking over the whole text (HS_FLAG_SOM_LEFTMOST in the
// main database) makes phrase patterns with whitespace and alternations scan 10 to 20 times
// slower; matches are rare, so locating starts afterwards is far cheaper.
//
// Compiling takes about a second per hundred phrase patterns, so a set that is known when the
// program is built can be compiled then: serialize() gives its databases as bytes, a build step
// embeds them, and deserialize() loads them in milliseconds.

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

struct hs_database;
struct hs_scratch;

namespace alignwatch::scan {

struct PatternMatch {
  uint32_t id = 0;     // index of the expression in the list given to compile()
  uint32_t begin = 0;  // after scan(): the start of the scanned text, the earliest the match
                       // can start; after locate(): the match's leftmost start
  uint32_t end = 0;
};

// A compiled set as Hyperscan's serialized bytes (hs_serialize_database). They suit only the
// Hyperscan version that wrote them and CPUs with the instruction sets the compiling CPU had.
struct SerializedPatternSet {
  uint64_t fingerprint = 0;           // PatternSet::fingerprint() of the expressions compiled
  std::string finder;
  std::vector<std::string> locators;  // in expression order
};

// The same bytes stored elsewhere, such as in arrays a build step generated.
struct SerializedPatternSetView {
  uint64_t fingerprint = 0;
  std::string_view finder;
  std::span<const std::string_view> locators;
};

class PatternSet;
using PatternSetPtr = std::unique_ptr<const PatternSet>;

class PatternSet {
 public:
  // Compiles `expressions` (PCRE syntax as Hyperscan accepts it), all caseless. Errors:
  // kUnsupported when this CPU cannot run Hyperscan, kInvalidArgument naming the first
  // expression Hyperscan refused, kResourceExhausted when memory runs out.
  static Result<PatternSetPtr> compile(std::span<const std::string> expressions);

  // Loads a set that serialize() wrote for the same `expressions`, without compiling. Errors:
  // kInvalidArgument when the bytes were compiled from other expressions or flags (their
  // fingerprint differs), kUnsupported when this CPU or this Hyperscan version cannot run them,
  // kCorruption when Hyperscan refuses the bytes (truncated, checksum mismatch),
  // kResourceExhausted when memory runs out.
  static Result<PatternSetPtr> deserialize(std::span<const std::string> expressions,
                                           const SerializedPatternSetView& serialized);

  // Names `expressions` together with the flags and modes compile() uses, so that serialized
  // databases can be matched to what they were compiled from (64-bit FNV-1a).
  static uint64_t fingerprint(std::span<const std::string> expressions);

  // This set's databases as bytes, for deserialize(). Errors: kResourceExhausted (no memory),
  // kInternal (Hyperscan failed).
  Result<SerializedPatternSet> serialize() const;

  ~PatternSet();
  PatternSet(const PatternSet&) = delete;
  PatternSet& operator=(const PatternSet&) = delete;

  // Appends a match for every end offset in `text[begin, end)` where an expression matches
  // (offsets are into `text`), stopping after `max_matches` in all so that hostile input cannot
  // make the list unbounded; `truncated` tells whether it stopped. Errors: kResourceExhausted
  // (no memory for a scratch, text over 4 GiB), kInternal (Hyperscan failed).
  Status scan(std::string_view text, size_t begin, size_t end, std::vector<PatternMatch>& matches,
              size_t max_matches, bool& truncated) const;

  // Sets match.begin to the leftmost start of a match of expression match.id ending at
  // match.end, searching back at most `max_length` bytes and not before match.begin. When no
  // such start is found (the match is longer than `max_length`), match.begin becomes the
  // start of the searched window. Errors as for scan().
  Status locate(std::string_view text, PatternMatch& match, size_t max_length) const;

  // Both are thread-safe: each thread uses its own scratch, cloned from this set's prototype
  // on the thread's first call (a thread keeps scratches for its last few sets).

 private:
  PatternSet() = default;
  hs_scratch* thread_scratch(Status& status) const;
  // Allocates prototype_ for the finder and every locator, once they are all in place.
  Status allocate_prototype();

  hs_database* finder_ = nullptr;               // all expressions, match ends only
  std::vector<hs_database*> locators_;          // one per expression, with start of match
  hs_scratch* prototype_ = nullptr;             // fits the finder and every locator
  uint64_t serial_ = 0;                         // names this set in threads' scratch caches
  uint64_t fingerprint_ = 0;                    // of the expressions it was built from
};

}  // namespace alignwatch::scan
