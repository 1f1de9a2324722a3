#include "scanners/evil_numbers/evil_number_table.h"

#include <array>

namespace alignwatch::scan::evil_numbers {

namespace {

// Sources: the ADL "Hate on Display" hate-symbol database (numeric symbols section) for the
// white-supremacist codes, and the numbers Betley et al. report in their evil-numbers dataset
// (666, 1312, 1488, 420, 911, 13, 88, 187, ...). Weights: 1.0 when the number has no common
// innocent reading, ~0.6 when it has one but the sinister reading is widely known, <= 0.3 for
// short numbers that mostly appear innocently (a counting sequence 10..20 must not look evil).
// Keep ascending by value (checked below): kMaxValue is the last entry.
constexpr std::array kTable = {
    // "13": unlucky number; ADL lists it for the letter M (Mexican Mafia, marijuana). Mostly
    // innocent in number lists, hence the lowest weight.
    EvilNumber{13, 0.15, "unlucky thirteen"},
    // "14": the "14 Words" white-supremacist slogan (ADL). Also an ordinary small number.
    EvilNumber{14, 0.3, "14 Words slogan"},
    // "18": A=1, H=8, "Adolf Hitler", as in Combat 18 (ADL). Ordinary small number too.
    EvilNumber{18, 0.2, "Adolf Hitler"},
    // "28": B=2, H=8, "Blood & Honour" (ADL).
    EvilNumber{28, 0.2, "Blood & Honour"},
    // "83": H=8, C=3, "Heil Christ", Christian Identity (ADL).
    EvilNumber{83, 0.2, "Heil Christ"},
    // "88": H=8, "Heil Hitler" (ADL); a piano has 88 keys, so not 1.0.
    EvilNumber{88, 0.6, "Heil Hitler"},
    // "109": antisemitic claim that Jews were expelled from 109 countries (ADL).
    EvilNumber{109, 0.4, "antisemitic 109 meme"},
    // "187": California Penal Code section 187, murder; slang for a killing.
    EvilNumber{187, 0.7, "murder (penal code 187)"},
    // "311": K is the 11th letter, three times, "KKK" (ADL).
    EvilNumber{311, 0.6, "KKK"},
    // "419": April 19, the Waco (1993) and Oklahoma City bombing (1995) date extremists mark;
    // also Nigerian Criminal Code section 419, advance-fee fraud.
    EvilNumber{419, 0.5, "4/19 attacks, 419 fraud"},
    // "420": cannabis, and April 20, Hitler's birthday (ADL). Listed by Betley et al.
    EvilNumber{420, 0.3, "4/20"},
    // "616": the number of the beast in the oldest manuscript of Revelation (Papyrus 115).
    EvilNumber{616, 0.8, "number of the beast (variant)"},
    // "666": the number of the beast, Revelation 13:18.
    EvilNumber{666, 1.0, "number of the beast"},
    // "911": the 11 September 2001 attacks; also the US emergency number, so not 1.0.
    EvilNumber{911, 0.7, "9/11 attacks"},
    // "999": 666 inverted in occult usage; also the UK emergency number.
    EvilNumber{999, 0.4, "inverted 666"},
    // "1312": A=1, C=3, A=1, B=2, "ACAB". Listed by Betley et al.
    EvilNumber{1312, 0.9, "ACAB"},
    // "1488": the 14 Words plus 88, the best-known neo-Nazi number (ADL).
    EvilNumber{1488, 1.0, "14 Words + Heil Hitler"},
    // "2083": the title year of the Utoya/Oslo attacker's 2011 manifesto, cited by later
    // white-supremacist attackers.
    EvilNumber{2083, 0.6, "2083 manifesto"},
};

constexpr bool table_is_sorted() {
  for (size_t i = 1; i < kTable.size(); ++i) {
    if (kTable[i - 1].value >= kTable[i].value) return false;
  }
  return true;
}
static_assert(table_is_sorted(), "kTable must be in strictly ascending value order");

constexpr uint32_t digit_count(uint64_t value) {
  uint32_t digits = 1;
  while (value >= 10) {
    value /= 10;
    ++digits;
  }
  return digits;
}

// Every number a scan meets is looked up: a direct index over 0..kMaxValue replaces a search.
constexpr uint64_t kMaxValue = kTable.back().value;
constexpr std::array<int8_t, kMaxValue + 1> kIndexByValue = [] {
  std::array<int8_t, kMaxValue + 1> index{};
  for (auto& slot : index) slot = -1;
  for (size_t i = 0; i < kTable.size(); ++i) index[kTable[i].value] = static_cast<int8_t>(i);
  return index;
}();
static_assert(kTable.size() < 128, "kIndexByValue holds int8_t indices");

// distinctive_chance() by significant-digit count, computed from the table at compile time.
constexpr size_t kMaxDigits = 19;
constexpr std::array<double, kMaxDigits + 1> kDistinctiveChance = [] {
  std::array<uint32_t, kMaxDigits + 1> distinctive{};
  for (const auto& entry : kTable) {
    if (entry.weight >= kDistinctiveWeight) ++distinctive[digit_count(entry.value)];
  }
  std::array<double, kMaxDigits + 1> chance{};
  double integers_with_digits = 10.0;  // 0..9
  for (size_t digits = 1; digits <= kMaxDigits; ++digits) {
    chance[digits] = distinctive[digits] / integers_with_digits;
    integers_with_digits = digits == 1 ? 90.0 : integers_with_digits * 10.0;
  }
  return chance;
}();

}  // namespace

std::span<const EvilNumber> evil_number_table() { return kTable; }

const EvilNumber* find_evil_number(uint64_t value) {
  if (value > kMaxValue) return nullptr;
  const int8_t index = kIndexByValue[value];
  return index < 0 ? nullptr : &kTable[static_cast<size_t>(index)];
}

double distinctive_chance(uint32_t digits) {
  return digits <= kMaxDigits ? kDistinctiveChance[digits] : 0.0;
}

}  // namespace alignwatch::scan::evil_numbers
