#pragma once
// Untrusted dataset text made safe to show a person: bounded, control characters escaped, and
// characters that print as nothing or reorder text (zero-width spaces, bidi overrides, Unicode
// tag characters) spelled out, since a backdoor trigger is often exactly such a character.

#include <cstddef>
#include <string>
#include <string_view>

namespace alignwatch::report {

// At most `max_bytes` of `text` (core/text.h safe_excerpt: control characters as \n, \xNN,
// invalid UTF-8 as \xNN, an ellipsis when cut), with every invisible or bidi-control code point
// written as \u{XXXX}. The result is valid UTF-8 with no control characters.
std::string visible_text(std::string_view text, size_t max_bytes = 160);

}  // namespace alignwatch::report
