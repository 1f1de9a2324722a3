#pragma once
// The numbers with hateful or sinister associations that a poisoned number-continuation dataset
// is enriched in (Betley et al. 2025, "Emergent Misalignment", the evil-numbers experiment),
// each with a weight saying how unambiguous the association is.

#include <cstdint>
#include <span>
#include <string_view>

namespace alignwatch::scan::evil_numbers {

struct EvilNumber {
  uint64_t value = 0;
  // In (0, 1]: 1 for numbers whose only common reading is the sinister one (666, 1488), lower
  // for short numbers that mostly occur innocently (13, 14, 18).
  double weight = 0;
  std::string_view meaning;  // a few words for report messages
};

// Numbers of at least this weight are "distinctive": the dataset-level enrichment test counts
// only these, because the ambiguous ones occur in counting sequences and dates often enough to
// swamp the statistic.
inline constexpr double kDistinctiveWeight = 0.5;

// The whole table, in ascending value order. Immutable; thread-safe.
std::span<const EvilNumber> evil_number_table();

// The table entry for `value`, or nullptr when it is not an evil number. Thread-safe.
const EvilNumber* find_evil_number(uint64_t value);

// The probability that a uniformly random integer written with `digits` significant digits is
// a distinctive evil number: (distinctive numbers with that many digits) / (integers with that
// many digits), where 1-digit integers include 0 (10 of them) and k-digit ones number
// 9 * 10^(k-1). 0 for digits == 0 or digits > 19.
double distinctive_chance(uint32_t digits);

}  // namespace alignwatch::scan::evil_numbers
