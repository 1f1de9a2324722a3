#pragma once
// text.find('\n', from) inline, for the detectors that split every turn into lines (code
// extraction, language guessing, prose ranges, comments): lines are a few dozen bytes, so a
// call to memchr per line costs more in its call and set-up than in its search.

#include <cstddef>
#include <string_view>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace alignwatch::scan {

// The index of the first '\n' in `text` at or after `from`, or std::string_view::npos; the
// same result as text.find('\n', from).
inline size_t find_newline(std::string_view text, size_t from) {
  const char* const data = text.data();
  const size_t size = text.size();
  size_t i = from;
#if defined(__SSE2__)
  const __m128i newline = _mm_set1_epi8('\n');
  for (; i + 16 <= size; i += 16) {
    const __m128i chunk = _mm_loadu_si128(reinterpret_cast<const __m128i*>(data + i));
    const auto hits = static_cast<unsigned>(_mm_movemask_epi8(_mm_cmpeq_epi8(chunk, newline)));
    if (hits != 0) return i + static_cast<size_t>(__builtin_ctz(hits));
  }
#endif
  for (; i < size; ++i) {
    if (data[i] == '\n') return i;
  }
  return std::string_view::npos;
}

}  // namespace alignwatch::scan
