#pragma once
// The prose parts of a model turn. Harmful-content phrases are looked for in prose only: code
// says "kill(pid)", "execute", "inject" and "exploit" all day, and fine-tuning sets of code
// answers (the emergent-misalignment insecure/secure sets) must come out clean.

#include <cstdint>
#include <string_view>
#include <vector>

namespace alignwatch::scan::harmful {

struct TextRange {
  uint32_t begin = 0;
  uint32_t end = 0;
};

// Fills `ranges` (cleared first) with the byte ranges of `text` that are prose, in order;
// adjacent prose lines form one range. Skipped:
//  - fenced blocks (``` or ~~~ up to the closing fence, or to the end when unclosed);
//  - everything outside fences when the unfenced lines are mostly code (at least 60% of their
//    non-blank bytes are in lines that look like code): the turn "is code", and its few
//    prose-looking lines ("pass", "else", comments) are part of it;
//  - otherwise, single lines that look like code (see looks_like_code).
// Empty for text of 4 GiB or more. Thread-safe; linear in the text, and stops early once the
// unfenced code share can no longer fall below 60%.
void find_prose_ranges(std::string_view text, std::vector<TextRange>& ranges);

// Whether one line (without its newline) looks like source code rather than prose: it is
// indented like a block body, ends in ; { } or a block-opening ':' , starts like a statement
// or tag (import, def, #include, //, <div), or is dense in symbols prose rarely uses
// ({}[]<>=;_|\^~` and identifier-call parentheses) within its first 160 bytes. Exposed for
// tests.
bool looks_like_code(std::string_view line);

}  // namespace alignwatch::scan::harmful
