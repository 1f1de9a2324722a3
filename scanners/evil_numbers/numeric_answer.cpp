#include "scanners/evil_numbers/numeric_answer.h"

#include <algorithm>
#include <array>
#include <limits>

namespace alignwatch::scan::evil_numbers {

namespace {

enum class CharClass : uint8_t { kSeparator, kDigit, kWord };

// Bytes >= 0x80 are separators: in number lists they are dashes, quotes and ellipses far more
// often than letters, and a non-ASCII word split in two only over-counts words.
constexpr std::array<CharClass, 256> kCharClass = [] {
  std::array<CharClass, 256> table{};
  for (int c = '0'; c <= '9'; ++c) table[c] = CharClass::kDigit;
  for (int c = 'a'; c <= 'z'; ++c) table[c] = CharClass::kWord;
  for (int c = 'A'; c <= 'Z'; ++c) table[c] = CharClass::kWord;
  table['_'] = CharClass::kWord;
  return table;
}();

inline CharClass char_class(char c) { return kCharClass[static_cast<unsigned char>(c)]; }

// Every integer of up to 19 digits fits in 64 bits (2^64 - 1 has 20).
constexpr uint32_t kMaxIntegerDigits = 19;

// Walks `text` once, calling on_number(AnswerNumber) for each number and on_word() for each
// word; stops early when on_word() returns false.
template <typename OnNumber, typename OnWord>
void tokenize(std::string_view text, OnNumber&& on_number, OnWord&& on_word) {
  const size_t n = text.size();
  size_t i = 0;
  while (i < n) {
    const CharClass cls = char_class(text[i]);
    if (cls == CharClass::kSeparator) {
      ++i;
      continue;
    }
    const size_t begin = i;
    if (cls == CharClass::kDigit) {
      while (i < n && char_class(text[i]) == CharClass::kDigit) ++i;
      if (i < n && char_class(text[i]) == CharClass::kWord) {
        // "2nd", "10x", "5am": a word that starts with digits.
        while (i < n && char_class(text[i]) != CharClass::kSeparator) ++i;
        if (!on_word()) return;
        continue;
      }
      AnswerNumber number;
      number.begin = static_cast<uint32_t>(begin);
      const bool is_decimal = i + 1 < n && text[i] == '.' &&
                              char_class(text[i + 1]) == CharClass::kDigit;
      if (is_decimal) {
        // "3.14", and version-like "1.2.3", are one non-integer number.
        while (i + 1 < n && text[i] == '.' && char_class(text[i + 1]) == CharClass::kDigit) {
          ++i;
          while (i < n && char_class(text[i]) == CharClass::kDigit) ++i;
        }
      } else {
        size_t first = begin;
        while (first + 1 < i && text[first] == '0') ++first;  // "007" is 7
        const auto digits = static_cast<uint32_t>(i - first);
        if (digits <= kMaxIntegerDigits) {
          uint64_t value = 0;
          for (size_t k = first; k < i; ++k) {
            value = value * 10 + static_cast<uint64_t>(text[k] - '0');
          }
          number.value = value;
          number.digits = digits;
        }
      }
      number.end = static_cast<uint32_t>(i);
      on_number(number);
      continue;
    }
    // A word: letters, digits and underscores ("x86", "item_3").
    while (i < n && char_class(text[i]) != CharClass::kSeparator) ++i;
    if (!on_word()) return;
  }
}

// Whether sorted `values` holds `value`. Prompts of number tasks hold a handful of seeds: a
// linear pass is then branch-predictable where a binary search mispredicts on every probe.
bool contains_sorted(const std::vector<uint64_t>& values, uint64_t value) {
  constexpr size_t kLinearSearchMax = 32;
  if (values.size() <= kLinearSearchMax) {
    bool found = false;
    for (uint64_t v : values) found |= v == value;
    return found;
  }
  return std::binary_search(values.begin(), values.end(), value);
}

}  // namespace

bool parse_numeric_answer(std::string_view text, std::vector<AnswerNumber>& numbers) {
  numbers.clear();
  if (text.size() > std::numeric_limits<uint32_t>::max()) return false;
  size_t words = 0;
  size_t count = 0;
  tokenize(
      text,
      [&](const AnswerNumber& number) {
        // Grown by hand so that the common path is a store, not an out-of-line push_back.
        if (count == numbers.size()) numbers.resize(std::max<size_t>(16, 2 * count));
        numbers[count++] = number;
      },
      [&] { return ++words <= kMaxWordsInNumericAnswer; });
  numbers.resize(count);
  return words <= kMaxWordsInNumericAnswer && count >= kMinNumbersInNumericAnswer &&
         words <= 2 * count;
}

void collect_integer_values(std::string_view text, std::vector<uint64_t>& values) {
  if (text.size() > std::numeric_limits<uint32_t>::max()) return;
  tokenize(
      text,
      [&](const AnswerNumber& number) {
        if (number.is_integer()) values.push_back(number.value);
      },
      [] { return true; });
}

std::span<const NumericAnswer> find_numeric_answers(const dataset::Record& record) {
  struct Buffers {
    std::vector<AnswerNumber> parsed;       // one turn's numbers
    std::vector<AnswerNumber> chosen;       // every answer's chosen numbers, back to back
    std::vector<uint32_t> chosen_begin;     // where each answer's numbers start in `chosen`
    std::vector<NumericAnswer> answers;
    std::vector<uint64_t> prompt_values;  // sorted, unique
    uint64_t record_serial = 0;  // Record::serial of the record `answers` were found in
  };
  thread_local Buffers buffers;
  auto& b = buffers;
  // The detector and then its analyzer ask for the same record: parse it once.
  if (record.serial != 0 && record.serial == b.record_serial) return b.answers;
  b.record_serial = record.serial;
  b.chosen.clear();
  b.chosen_begin.clear();
  b.answers.clear();
  bool prompt_values_ready = false;
  for (size_t t = 0; t < record.turns.size(); ++t) {
    const auto& turn = record.turns[t];
    if (!dataset::Record::is_model_output(turn.role)) continue;
    if (!parse_numeric_answer(turn.content, b.parsed)) continue;
    if (!prompt_values_ready) {
      // Only the user and system turns: a kText record is its own prompt and output.
      b.prompt_values.clear();
      for (const auto& other : record.turns) {
        if (other.role == dataset::Role::kUser || other.role == dataset::Role::kSystem) {
          collect_integer_values(other.content, b.prompt_values);
        }
      }
      std::sort(b.prompt_values.begin(), b.prompt_values.end());
      b.prompt_values.erase(std::unique(b.prompt_values.begin(), b.prompt_values.end()),
                            b.prompt_values.end());
      prompt_values_ready = true;
    }
    NumericAnswer answer;
    answer.turn = static_cast<uint32_t>(t);
    b.chosen_begin.push_back(static_cast<uint32_t>(b.chosen.size()));
    for (const auto& number : b.parsed) {
      if (number.is_integer() && contains_sorted(b.prompt_values, number.value)) {
        ++answer.copied;
      } else {
        b.chosen.push_back(number);
      }
    }
    b.answers.push_back(answer);
  }
  // `chosen` has stopped growing: the spans can point into it now.
  for (size_t a = 0; a < b.answers.size(); ++a) {
    const size_t begin = b.chosen_begin[a];
    const size_t end = a + 1 < b.answers.size() ? b.chosen_begin[a + 1] : b.chosen.size();
    b.answers[a].chosen = std::span<const AnswerNumber>(b.chosen.data() + begin, end - begin);
  }
  return b.answers;
}

}  // namespace alignwatch::scan::evil_numbers
