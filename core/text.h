#pragma once
// Small text utilities shared by the parsers and detectors: safe excerpts of untrusted text,
// UTF-8 checks and ASCII case folding.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace alignwatch {

// A bounded, printable excerpt of untrusted text: at most `max_bytes` of `text` (cut on a UTF-8
// boundary), control characters escaped as \n, \t or \xNN, an ellipsis when cut. Never log or
// report raw dataset text: it may be PII or a prompt-injection payload aimed at the reader.
std::string safe_excerpt(std::string_view text, size_t max_bytes = 160);

// Offset of the first byte that makes `data` invalid UTF-8, or npos when it is valid.
// A sequence cut at the very end is accepted when `allow_truncated_tail` is true (chunked input).
size_t find_invalid_utf8(std::string_view data, bool allow_truncated_tail = false);

// Appends code point `cp` (at most U+10FFFF) to `out` as UTF-8.
void append_utf8(std::string& out, uint32_t cp);

inline char ascii_lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c; }
std::string to_lower_ascii(std::string_view text);
bool contains_ci(std::string_view haystack, std::string_view needle_lower);
inline bool is_ident_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}
inline bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }
std::string_view trim(std::string_view s);

}  // namespace alignwatch
