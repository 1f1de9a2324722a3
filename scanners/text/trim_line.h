#pragma once
// trim() from core/text.h as an inline table lookup, for the detectors that trim every line of
// every turn (code extraction, prose ranges): there the call and the chain of compares per
// byte of indentation show in profiles.

#include <array>
#include <string_view>

namespace alignwatch::scan {

// The bytes is_space() from core/text.h accepts.
inline constexpr std::array<bool, 256> kTrimmedBytes = [] {
  std::array<bool, 256> space{};
  for (unsigned char c : {' ', '\t', '\n', '\r', '\f', '\v'}) space[c] = true;
  return space;
}();

// `s` without leading and trailing whitespace; the same bytes as trim().
inline std::string_view trim_line(std::string_view s) {
  size_t b = 0, e = s.size();
  while (b < e && kTrimmedBytes[static_cast<unsigned char>(s[b])]) ++b;
  while (e > b && kTrimmedBytes[static_cast<unsigned char>(s[e - 1])]) --e;
  return s.substr(b, e - b);
}

}  // namespace alignwatch::scan
