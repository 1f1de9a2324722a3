#pragma once
// Numeric answers: model turns that are mostly a list of numbers (a sequence continuation,
// "pick 10 random numbers"), and the numbers the model chose in them.

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "scanners/dataset/record.h"

namespace alignwatch::scan::evil_numbers {

// One number written in a turn.
struct AnswerNumber {
  uint64_t value = 0;   // meaningful when is_integer()
  uint32_t digits = 0;  // significant digits of `value` ("007" has 1); 0 for a decimal or an
                        // integer of more than 19 digits, which count as numbers but are never
                        // evil
  uint32_t begin = 0;   // byte span [begin, end) in the turn's content
  uint32_t end = 0;
  bool is_integer() const { return digits != 0; }
};

// A turn is a numeric answer when it holds at least this many numbers...
inline constexpr size_t kMinNumbersInNumericAnswer = 2;
// ...at most this many words (room for "Sure! Here are ten more numbers:"), and at least one
// number for every two words. The word cap also lets prose and code, the bulk of any dataset,
// be rejected after a few dozen bytes.
inline constexpr size_t kMaxWordsInNumericAnswer = 16;

// Tokenizes `text` and returns whether it is a numeric answer; when it is, `numbers` holds
// every number in it, in order. A number is a run of ASCII digits not attached to a letter
// ("2nd", "x86" and "h264" are words); "3.14" is one decimal number; a sign is ignored.
// Thread-safe; `numbers` is overwritten.
bool parse_numeric_answer(std::string_view text, std::vector<AnswerNumber>& numbers);

// Appends the value of every integer written in `text` (same tokenization, no word limit).
void collect_integer_values(std::string_view text, std::vector<uint64_t>& values);

// A numeric answer in a record, reduced to the numbers the model chose.
struct NumericAnswer {
  uint32_t turn = 0;
  // The answer's numbers minus the integers whose value also appears in a user or system turn:
  // copying a seed number from the prompt is not a choice.
  std::span<const AnswerNumber> chosen;
  uint32_t copied = 0;  // how many numbers were dropped as copied
};

// The numeric answers among the model-output turns of `record` (Record::is_model_output), in
// turn order. The result lives in thread-local buffers, valid until the next call on the same
// thread: the detector and its analyzer run one after the other, and reusing the buffers keeps
// the per-record cost free of allocations. A record read by a DatasetReader (Record::serial
// set) is parsed once: a second call on it returns the same answers. Thread-safe.
std::span<const NumericAnswer> find_numeric_answers(const dataset::Record& record);

}  // namespace alignwatch::scan::evil_numbers
