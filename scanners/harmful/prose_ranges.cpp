#include "scanners/harmful/prose_ranges.h"

#include <algorithm>
#include <array>
#include <limits>

#include "core/text.h"
#include "scanners/text/find_newline.h"
#include "scanners/text/trim_line.h"

namespace alignwatch::scan::harmful {

namespace {

// Byte classes for the symbol-density test, looked up once per byte of every prose line.
constexpr uint8_t kLetter = 1;      // A-Z a-z
constexpr uint8_t kCodeSymbol = 2;  // symbols prose rarely uses but code is full of
constexpr uint8_t kIdentChar = 4;   // may precede a call's '('
constexpr std::array<uint8_t, 256> kByteClass = [] {
  std::array<uint8_t, 256> table{};
  for (int c = 'a'; c <= 'z'; ++c) table[c] = kLetter | kIdentChar;
  for (int c = 'A'; c <= 'Z'; ++c) table[c] = kLetter | kIdentChar;
  for (int c = '0'; c <= '9'; ++c) table[c] = kIdentChar;
  for (unsigned char c : std::string_view("{}[]<>=;|\\^~`")) table[c] = kCodeSymbol;
  table['_'] = kCodeSymbol | kIdentChar;
  return table;
}();

constexpr std::string_view kStatementStarts[] = {
    "//",      "/*",      "*/",       "#include", "#!",      "#define",   "#if",     "#endif",
    "#pragma", "import ", "from ",    "def ",     "class ",  "return ",   "return;", "@",
    "package ", "using ", "var ",     "let ",     "const ",  "function ", "public ", "private ",
    "fn ",     "SELECT ", "INSERT ",  "UPDATE ",  "CREATE ", "$ ",        "}",       "{",
    ")",       "]",       "print(",   "echo ",    "sudo ",   "elif ",     "else:",   "try:",
};
constexpr std::array<bool, 256> kStatementFirstBytes = [] {
  std::array<bool, 256> table{};
  for (std::string_view start : kStatementStarts) table[static_cast<unsigned char>(start[0])] = true;
  return table;
}();

// Python-style block openers end in ':' like a prose lead-in ("Here is how:") does.
constexpr std::string_view kBlockKeywords[] = {"if ",     "elif ",  "else",   "for ",
                                               "while ",  "def ",   "class ", "try",
                                               "except",  "finally", "with ", "async ",
                                               "switch ", "case "};

constexpr size_t kDensityPrefixBytes = 160;

bool is_list_marker(std::string_view t) {
  if (t.size() >= 2 && (t[0] == '-' || t[0] == '*' || t[0] == '+') && t[1] == ' ') return true;
  if (t.starts_with("\xE2\x80\xA2")) return true;  // •
  size_t digits = 0;
  while (digits < t.size() && t[digits] >= '0' && t[digits] <= '9') ++digits;
  return digits > 0 && digits + 1 < t.size() && (t[digits] == '.' || t[digits] == ')') &&
         t[digits + 1] == ' ';
}

bool is_letter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

// The unfenced lines are code when at least 3/5 of their non-blank bytes are code lines.
bool mostly_code(uint64_t code_bytes, uint64_t total_bytes) {
  return code_bytes > 0 && code_bytes * 5 >= total_bytes * 3;
}

}  // namespace

bool looks_like_code(std::string_view line) {
  size_t indent = 0;
  bool tab = false;
  while (indent < line.size() && (line[indent] == ' ' || line[indent] == '\t')) {
    tab |= line[indent] == '\t';
    ++indent;
  }
  const std::string_view t = trim_line(line);
  if (t.empty()) return false;
  if ((indent >= 4 || tab) && !is_list_marker(t)) return true;
  const char last = t.back();
  if (last == ';' || last == '{' || last == '}') return true;
  if (last == ':') {
    if (t.size() >= 2 && t[t.size() - 2] == ')') return true;
    for (std::string_view keyword : kBlockKeywords) {
      if (t.starts_with(keyword)) return true;
    }
  }
  // Most prose lines start with a byte no statement starts with: skip the comparisons.
  if (kStatementFirstBytes[static_cast<unsigned char>(t[0])]) {
    for (std::string_view start : kStatementStarts) {
      if (t[0] == start[0] && t.starts_with(start)) return true;
    }
  }
  if (t.size() >= 2 && t[0] == '<' && (is_letter(t[1]) || t[1] == '/' || t[1] == '!')) {
    return true;  // a markup tag
  }
  // Judged on the line's first kDensityPrefixBytes: code lines are short, a long line is a
  // paragraph or minified code, and either shows in its beginning. Every prose line goes
  // through this loop, so it is also branch-free.
  size_t letters = 0;
  size_t symbols = 0;
  uint8_t previous = 0;
  for (char c : t.substr(0, kDensityPrefixBytes)) {
    const uint8_t cls = kByteClass[static_cast<unsigned char>(c)];
    letters += cls & kLetter;
    symbols += (cls & kCodeSymbol) >> 1;
    symbols += (c == '(') & ((previous & kIdentChar) >> 2);  // a call: "compile(", "f("
    previous = cls;
  }
  return symbols >= 2 && symbols * 8 >= letters;
}

void find_prose_ranges(std::string_view text, std::vector<TextRange>& ranges) {
  ranges.clear();
  if (text.size() >= std::numeric_limits<uint32_t>::max()) return;
  const size_t n = text.size();
  uint64_t code_bytes = 0;   // non-blank bytes of unfenced code lines
  uint64_t prose_bytes = 0;  // non-blank bytes of unfenced prose lines
  bool in_fence = false;
  char fence_char = 0;
  bool previous_was_prose = false;  // the last non-blank unfenced line
  size_t pos = 0;
  while (pos < n) {
    size_t eol = find_newline(text, pos);
    if (eol == std::string_view::npos) eol = n;
    const std::string_view line = text.substr(pos, eol - pos);
    const std::string_view t = trim_line(line);
    const size_t line_begin = pos;
    pos = eol + 1;
    if (t.starts_with("```") || t.starts_with("~~~")) {
      if (!in_fence) {
        in_fence = true;
        fence_char = t[0];
      } else if (t[0] == fence_char) {
        in_fence = false;
      }
      previous_was_prose = false;
      continue;
    }
    if (in_fence || t.empty()) continue;
    if (looks_like_code(line)) {
      code_bytes += t.size();
      previous_was_prose = false;
      // Even if every remaining byte were prose, the unfenced share of code would stay at
      // 60% or more: the turn is code.
      if (mostly_code(code_bytes, code_bytes + prose_bytes + (n - std::min(n, pos)))) {
        ranges.clear();
        return;
      }
      continue;
    }
    prose_bytes += t.size();
    if (previous_was_prose && !ranges.empty()) {
      ranges.back().end = static_cast<uint32_t>(eol);
    } else {
      ranges.push_back(TextRange{static_cast<uint32_t>(line_begin), static_cast<uint32_t>(eol)});
    }
    previous_was_prose = true;
  }
  if (mostly_code(code_bytes, code_bytes + prose_bytes)) ranges.clear();
}

}  // namespace alignwatch::scan::harmful
