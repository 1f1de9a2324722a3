#include "scanners/code/code_extractor.h"

#include <algorithm>
#include <array>
#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "core/text.h"
#include "scanners/text/find_newline.h"
#include "scanners/text/trim_line.h"

namespace alignwatch::scan {

std::string_view language_name(Language language) {
  switch (language) {
    case Language::kUnknown: return "unknown";
    case Language::kPython: return "python";
    case Language::kC: return "c";
    case Language::kJavaScript: return "javascript";
    case Language::kPhp: return "php";
    case Language::kShell: return "shell";
    case Language::kSql: return "sql";
  }
  return "unknown";
}

namespace {

Language language_from_tag(std::string_view tag) {
  std::string t = to_lower_ascii(trim(tag));
  if (t == "python" || t == "py" || t == "python3" || t == "ipython") return Language::kPython;
  if (t == "c" || t == "cpp" || t == "c++" || t == "cc" || t == "h" || t == "hpp") return Language::kC;
  if (t == "js" || t == "javascript" || t == "ts" || t == "typescript" || t == "node" ||
      t == "jsx" || t == "tsx") {
    return Language::kJavaScript;
  }
  if (t == "php") return Language::kPhp;
  if (t == "sh" || t == "bash" || t == "shell" || t == "zsh" || t == "console") return Language::kShell;
  if (t == "sql" || t == "mysql" || t == "postgresql" || t == "sqlite" || t == "tsql") return Language::kSql;
  return Language::kUnknown;
}

bool starts_with(std::string_view s, std::string_view p) {
  return s.size() >= p.size() && std::char_traits<char>::compare(s.data(), p.data(), p.size()) == 0;
}

// Case-insensitive starts_with for a lowercase prefix.
bool starts_with_ci(std::string_view s, std::string_view lower_prefix) {
  if (s.size() < lower_prefix.size()) return false;
  for (size_t i = 0; i < lower_prefix.size(); ++i) {
    if (ascii_lower(s[i]) != lower_prefix[i]) return false;
  }
  return true;
}

// Lines that only code has: counts them to tell bare code from prose.
bool line_looks_like_code(std::string_view line) {
  line = trim_line(line);
  if (line.empty()) return false;
  char last = line.back();
  if (last == ':' || last == ';' || last == '{' || last == '}' || last == ')' || last == ']' ||
      last == '(' || last == ',') {
    return true;
  }
  // Starts that only code has; the first byte picks the few worth comparing.
  switch (line[0]) {
    case 'i': if (starts_with(line, "import ") || starts_with(line, "if ") || starts_with(line, "int ")) return true; break;
    case 'f': if (starts_with(line, "from ") || starts_with(line, "for ") || starts_with(line, "function ")) return true; break;
    case 'd': if (starts_with(line, "def ")) return true; break;
    case 'c': if (starts_with(line, "class ") || starts_with(line, "const ")) return true; break;
    case 'r': if (starts_with(line, "return")) return true; break;
    case 'w': if (starts_with(line, "while ") || starts_with(line, "with ")) return true; break;
    case '#': if (starts_with(line, "#include")) return true; break;
    case 'v': if (starts_with(line, "void ") || starts_with(line, "var ")) return true; break;
    case 'l': if (starts_with(line, "let ")) return true; break;
    case '<': if (starts_with(line, "<?php")) return true; break;
    case 'e': if (starts_with(line, "echo ") || starts_with(line, "except")) return true; break;
    case 'S': if (starts_with(line, "SELECT ")) return true; break;
    case '@': return true;
    case 't': if (starts_with(line, "try:")) return true; break;
    default: break;
  }
  // "name = value" assignments.
  size_t eq = line.find(" = ");
  return eq != std::string_view::npos && eq < 40 && line.find(". ") == std::string_view::npos;
}

bool looks_like_bare_code(std::string_view text) {
  size_t code = 0, total = 0;
  size_t start = 0;
  while (start < text.size() && total < 40) {
    size_t nl = find_newline(text, start);
    if (nl == std::string_view::npos) nl = text.size();
    std::string_view line = trim_line(text.substr(start, nl - start));
    if (!line.empty()) {
      ++total;
      code += line_looks_like_code(line);
    }
    start = nl + 1;
  }
  return total > 0 && code * 2 >= total;
}

// The tests guess_language makes on one trimmed, non-empty line.
bool python_line(std::string_view line) {
  if (line.back() == ':') return true;
  switch (line[0]) {
    case 'd': return starts_with(line, "def ");
    case 'i': return starts_with(line, "import ");
    case 'f': return starts_with(line, "from ");
    case 'e': return starts_with(line, "elif ");
    case 's': return starts_with(line, "self.");
    case 'p': return starts_with(line, "print(");
    default: return false;
  }
}

constexpr std::array<bool, 256> kJavaScriptLast = [] {
  std::array<bool, 256> last{};
  for (unsigned char c : {'>', '(', '.'}) last[c] = true;
  return last;
}();

bool javascript_line(std::string_view line) {
  switch (line[0]) {
    case 'f': if (starts_with(line, "function ")) return true; break;
    case 'c': if (starts_with(line, "const ")) return true; break;
    case 'l': if (starts_with(line, "let ")) return true; break;
    case 'v': if (starts_with(line, "var ")) return true; break;
    default: break;
  }
  // "=>", "require(", "console.", "document." anywhere: one pass that stops only at their last
  // bytes, then looks behind.
  auto ends_at = [&](size_t end, std::string_view word) {
    return end + 1 >= word.size() && line.substr(end + 1 - word.size(), word.size()) == word;
  };
  auto marks_javascript = [&](size_t i) {
    switch (line[i]) {
      case '>': return line[i - 1] == '=';
      case '(': return ends_at(i, "require(");
      default: return ends_at(i, "console.") || ends_at(i, "document.");
    }
  };
  // Most lines of every block that is not Python come here: look at 16 bytes at a time for
  // the three last bytes, since most chunks hold none of them.
  size_t i = 1;
#if defined(__SSE2__)
  const __m128i greater = _mm_set1_epi8('>'), paren = _mm_set1_epi8('('), dot = _mm_set1_epi8('.');
  for (; i + 16 <= line.size(); i += 16) {
    __m128i chunk = _mm_loadu_si128(reinterpret_cast<const __m128i*>(line.data() + i));
    __m128i hits = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(chunk, greater), _mm_cmpeq_epi8(chunk, paren)),
                                _mm_cmpeq_epi8(chunk, dot));
    for (auto mask = static_cast<unsigned>(_mm_movemask_epi8(hits)); mask != 0; mask &= mask - 1) {
      if (marks_javascript(i + static_cast<size_t>(__builtin_ctz(mask)))) return true;
    }
  }
#endif
  for (; i < line.size(); ++i) {
    if (kJavaScriptLast[static_cast<unsigned char>(line[i])] && marks_javascript(i)) return true;
  }
  return false;
}

bool shell_line(std::string_view line) {
  switch (line[0]) {
    case 'e': return starts_with(line, "echo ") || starts_with(line, "export ");
    case 's': return starts_with(line, "sudo ");
    case 'a': return starts_with(line, "apt");
    case 'c': return starts_with(line, "curl ") || starts_with(line, "chmod ");
    case 'w': return starts_with(line, "wget ");
    case 'f': return starts_with(line, "fi");
    case 't': return starts_with(line, "then");
    default: return false;
  }
}

bool sql_line(std::string_view line) {
  switch (ascii_lower(line[0])) {
    case 's': return starts_with_ci(line, "select ");
    case 'i': return starts_with_ci(line, "insert ");
    case 'c': return starts_with_ci(line, "create ");
    case 'u': return starts_with_ci(line, "update ");
    case 'g': return starts_with_ci(line, "grant ");
    case 'd': return starts_with_ci(line, "delete ");
    default: return false;
  }
}

// Whether `text` contains `needle` (at least 2 bytes). Candidates are the places where both
// the needle's first and its last byte match, found 16 at a time (SSE2): for the needles
// guess_language() looks for, that pair is rare in code even where each byte alone is common
// (the 'i' and the '(' of "int main("), so almost every block is skipped after two compares.
bool contains(std::string_view text, std::string_view needle) {
  const size_t length = needle.size();
  if (text.size() < length) return false;
  const char* data = text.data();
  const size_t last_start = text.size() - length;  // the last place the needle can start
  auto matches_at = [&](size_t start) {
    return std::memcmp(data + start + 1, needle.data() + 1, length - 2) == 0;
  };
  size_t start = 0;
#if defined(__SSE2__)
  const __m128i first = _mm_set1_epi8(needle.front());
  const __m128i last = _mm_set1_epi8(needle.back());
  for (; start + 16 <= last_start + 1; start += 16) {
    const __m128i at_first =
        _mm_loadu_si128(reinterpret_cast<const __m128i*>(data + start));
    const __m128i at_last =
        _mm_loadu_si128(reinterpret_cast<const __m128i*>(data + start + length - 1));
    auto candidates = static_cast<unsigned>(_mm_movemask_epi8(
        _mm_and_si128(_mm_cmpeq_epi8(at_first, first), _mm_cmpeq_epi8(at_last, last))));
    for (; candidates != 0; candidates &= candidates - 1) {
      if (matches_at(start + static_cast<size_t>(__builtin_ctz(candidates)))) return true;
    }
  }
#endif
  for (; start <= last_start; ++start) {
    if (data[start] == needle.front() && data[start + length - 1] == needle.back() &&
        matches_at(start)) {
      return true;
    }
  }
  return false;
}

}  // namespace

Language guess_language(std::string_view code) {
  // The start of a block tells its language; long blocks need not be read to the end.
  code = code.substr(0, 4096);
  if (contains(code, "<?php")) return Language::kPhp;
  if (contains(code, "#include") || contains(code, "int main(")) return Language::kC;
  if (starts_with(code, "#!/bin/bash") || starts_with(code, "#!/bin/sh") ||
      starts_with(code, "#!/usr/bin/env bash")) {
    return Language::kShell;
  }
  int py = 0, js = 0, sh = 0, sql = 0;
  size_t start = 0;
  // The first lines decide: code does not change language half-way in a block.
  int lines = 0;
  while (start < code.size() && lines < 60) {
    size_t nl = find_newline(code, start);
    if (nl == std::string_view::npos) nl = code.size();
    std::string_view line = trim_line(code.substr(start, nl - start));
    start = nl + 1;
    if (line.empty()) continue;
    ++lines;
    if (python_line(line)) {
      ++py;
      // Python from the start, with nothing else seen: no need to read further.
      if (py >= 4 && js == 0 && sh == 0 && sql == 0) return Language::kPython;
      continue;  // a Python line needs no further test
    }
    js += javascript_line(line);
    sh += shell_line(line);
    sql += sql_line(line);
  }
  int best = std::max({py, js, sh, sql});
  if (best == 0) return Language::kUnknown;
  if (best == py) return Language::kPython;
  if (best == js) return Language::kJavaScript;
  if (best == sh) return Language::kShell;
  return Language::kSql;
}

void extract_code_blocks(std::string_view answer, std::vector<CodeBlock>& blocks) {
  size_t fence = answer.find("```");
  if (fence == std::string_view::npos) {
    if (looks_like_bare_code(answer)) {
      blocks.push_back(CodeBlock{guess_language(answer), 0, static_cast<uint32_t>(answer.size())});
    }
    return;
  }
  while (fence != std::string_view::npos) {
    size_t tag_end = answer.find('\n', fence);
    if (tag_end == std::string_view::npos) break;
    std::string_view tag = answer.substr(fence + 3, tag_end - fence - 3);
    size_t body = tag_end + 1;
    size_t close = answer.find("```", body);
    size_t body_end = close == std::string_view::npos ? answer.size() : close;
    std::string_view code = answer.substr(body, body_end - body);
    Language lang = language_from_tag(tag);
    if (lang == Language::kUnknown) lang = guess_language(code);
    blocks.push_back(CodeBlock{lang, static_cast<uint32_t>(body), static_cast<uint32_t>(body_end)});
    if (close == std::string_view::npos) break;
    fence = answer.find("```", close + 3);
  }
}

}  // namespace alignwatch::scan
