#pragma once
// A bounded, uniform sample of the prompt text of flagged records. The n-gram counts only keep
// hashes; at the end of a scan, the sample is where the miner finds what a significant n-gram
// looks like, how far the trigger around it extends, where it sits and example lines.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "scanners/dataset/record.h"

namespace alignwatch::triggers {

// A kept piece of a prompt turn: the whole turn, or its head or its tail when the turn is longer
// than the per-record budget (a trigger is most often at one end).
struct PromptSegment {
  dataset::Role role = dataset::Role::kUser;
  uint32_t begin = 0;  // byte span in SampledPrompt::text
  uint32_t end = 0;
  bool starts_turn = false;  // the segment begins where the turn begins
  bool ends_turn = false;    // the segment ends where the turn ends
};

struct SampledPrompt {
  uint64_t line = 0;  // the record's line in the file
  std::string text;   // the segments' bytes, back to back
  std::vector<PromptSegment> segments;

  std::string_view segment_text(size_t index) const {
    const PromptSegment& segment = segments[index];
    return std::string_view(text).substr(segment.begin, segment.end - segment.begin);
  }
};

class PromptSample {
 public:
  /// Keeps at most `max_records` records and `max_bytes_per_record` bytes of prompt text of
  /// each: at most max_records * max_bytes_per_record bytes in all, whatever the dataset size.
  PromptSample(size_t max_records, size_t max_bytes_per_record);

  /// Offers a record: kept with probability max_records / (records offered so far), replacing
  /// a random kept one (reservoir sampling, Algorithm R). The generator has a fixed seed, so a
  /// scan of the same file reports the same examples. Copies the prompt turns' text: `record`
  /// need not outlive the call. Not thread-safe: one sample per scan.
  void offer(const dataset::Record& record);

  const std::vector<SampledPrompt>& records() const { return records_; }
  uint64_t offered() const { return offered_; }

 private:
  uint64_t next_random();
  void copy_prompt(const dataset::Record& record, SampledPrompt& into) const;

  size_t max_records_;
  size_t max_bytes_per_record_;
  uint64_t offered_ = 0;
  uint64_t random_state_ = 0x5eed5eed5eed5eedULL;
  std::vector<SampledPrompt> records_;
};

}  // namespace alignwatch::triggers
