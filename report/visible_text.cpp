#include "report/visible_text.h"

#include <fmt/format.h>

#include <cstdint>

#include "core/text.h"

namespace alignwatch::report {

namespace {

// Code points that render as nothing, change text direction, or act as terminal controls.
bool is_invisible(uint32_t cp) {
  return (cp >= 0x80 && cp <= 0x9F) ||                // C1 controls (CSI is 0x9B)
         cp == 0xAD || cp == 0x34F || cp == 0x61C ||  // soft hyphen, CGJ, Arabic mark
         cp == 0x115F || cp == 0x1160 || cp == 0x17B4 || cp == 0x17B5 || cp == 0x180E ||
         (cp >= 0x200B && cp <= 0x200F) ||                  // zero-width, LRM/RLM
         (cp >= 0x2028 && cp <= 0x202E) ||                  // separators, bidi embeddings
         (cp >= 0x2060 && cp <= 0x206F) ||                  // word joiner, bidi isolates
         cp == 0x3164 || (cp >= 0xFE00 && cp <= 0xFE0F) ||  // Hangul filler, variation sel.
         cp == 0xFEFF || cp == 0xFFA0 || (cp >= 0xFFF9 && cp <= 0xFFFB) ||
         (cp >= 0xE0000 && cp <= 0xE0FFF);  // tags, variation sel. suppl.
}

}  // namespace

std::string visible_text(std::string_view text, size_t max_bytes) {
  // safe_excerpt leaves only printable ASCII, escapes and valid UTF-8 sequences.
  const std::string excerpt = safe_excerpt(text, max_bytes);
  std::string out;
  out.reserve(excerpt.size());
  const auto* p = reinterpret_cast<const unsigned char*>(excerpt.data());
  const size_t n = excerpt.size();
  for (size_t i = 0; i < n;) {
    const unsigned char lead = p[i];
    size_t len = lead < 0x80 ? 1 : lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : 4;
    if (i + len > n) len = n - i;  // cannot happen after safe_excerpt; stay in bounds anyway
    uint32_t cp = lead;
    if (len == 2) cp = lead & 0x1F;
    if (len == 3) cp = lead & 0x0F;
    if (len == 4) cp = lead & 0x07;
    for (size_t k = 1; k < len; ++k) cp = (cp << 6) | (p[i + k] & 0x3F);
    if (len > 1 && is_invisible(cp)) {
      out += fmt::format("\\u{{{:04X}}}", cp);
    } else {
      out.append(excerpt, i, len);
    }
    i += len;
  }
  return out;
}

}  // namespace alignwatch::report
