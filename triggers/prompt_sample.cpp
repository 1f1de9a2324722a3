#include "triggers/prompt_sample.h"

#include <algorithm>

namespace alignwatch::triggers {

namespace {

// Segments shorter than this are not worth keeping once the budget is nearly spent.
constexpr size_t kMinSegmentBytes = 32;

bool is_continuation_byte(char c) { return (static_cast<unsigned char>(c) & 0xC0) == 0x80; }

// The largest cut <= `at` that does not split a UTF-8 sequence.
size_t utf8_floor(std::string_view text, size_t at) {
  while (at > 0 && at < text.size() && is_continuation_byte(text[at])) {
    --at;
  }
  return at;
}

// The smallest cut >= `at` that does not split a UTF-8 sequence.
size_t utf8_ceil(std::string_view text, size_t at) {
  while (at < text.size() && is_continuation_byte(text[at])) {
    ++at;
  }
  return at;
}

}  // namespace

PromptSample::PromptSample(size_t max_records, size_t max_bytes_per_record)
    : max_records_(max_records), max_bytes_per_record_(max_bytes_per_record) {}

uint64_t PromptSample::next_random() {
  // splitmix64
  uint64_t z = (random_state_ += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

void PromptSample::offer(const dataset::Record& record) {
  ++offered_;
  if (max_records_ == 0) {
    return;
  }
  if (records_.size() < max_records_) {
    records_.emplace_back();
    copy_prompt(record, records_.back());
    return;
  }
  const uint64_t slot = next_random() % offered_;
  if (slot < max_records_) {
    // Reuses the replaced record's buffers: no allocation once they are large enough.
    copy_prompt(record, records_[slot]);
  }
}

void PromptSample::copy_prompt(const dataset::Record& record, SampledPrompt& into) const {
  into.line = record.line;
  into.text.clear();
  into.segments.clear();
  auto add_segment = [&](dataset::Role role, std::string_view bytes, bool starts, bool ends) {
    const auto begin = static_cast<uint32_t>(into.text.size());
    into.text.append(bytes);
    into.segments.push_back(
        PromptSegment{role, begin, static_cast<uint32_t>(into.text.size()), starts, ends});
  };
  for (const dataset::Turn& turn : record.turns) {
    if (!dataset::Record::is_prompt(turn.role)) {
      continue;
    }
    const size_t budget = max_bytes_per_record_ - std::min(max_bytes_per_record_, into.text.size());
    if (budget < kMinSegmentBytes) {
      break;
    }
    const std::string_view content = turn.content;
    if (content.size() <= budget) {
      add_segment(turn.role, content, true, true);
      continue;
    }
    // Too long: keep both ends, where prefix and suffix triggers sit.
    const size_t head_end = utf8_floor(content, budget / 2);
    const size_t tail_begin = utf8_ceil(content, content.size() - budget / 2);
    add_segment(turn.role, content.substr(0, head_end), true, false);
    add_segment(turn.role, content.substr(tail_begin), false, true);
  }
}

}  // namespace alignwatch::triggers
