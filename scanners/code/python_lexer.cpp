#include "scanners/code/python_lexer.h"

#include <algorithm>

#include "core/text.h"
#include "scanners/code/name_table.h"

namespace alignwatch::scan::python {

std::string_view TokenizedSource::string_body(const Token& t) const {
  std::string_view s = text(t);
  size_t open = t.string_prefix_len + t.quote_len;
  if (s.size() < open) return {};
  s.remove_prefix(open);
  // An unterminated string (truncated completion) has no closing quotes.
  if (s.size() >= t.quote_len) {
    std::string_view tail = s.substr(s.size() - t.quote_len);
    char q = source[t.begin + t.string_prefix_len];
    bool closed = true;
    for (char c : tail) closed &= (c == q);
    if (closed) s.remove_suffix(t.quote_len);
  }
  return s;
}

namespace {

// What a byte can start, looked up once per token instead of a chain of compares.
enum CharClass : uint8_t {
  kOperator,      // anything else: a one- or two-byte operator
  kBlank,         // space, tab, \r, \f
  kNewline,
  kBackslash,     // a line continuation, or an operator
  kHash,          // a comment
  kQuote,
  kPrefixLetter,  // r, b, u, f in either case: a string prefix or a name
  kNameStart,
  kDigit,
  kDot,           // ".5" is a number, "." an operator
  kOpenBracket,   // ( [ {
  kCloseBracket,  // ) ] }
};

struct CharTables {
  CharClass klass[256];
  bool name_char[256];
  bool string_stop[256];   // bytes a string body cannot just skip: quotes, backslash, newline
  bool before_equals[256]; // "x=" is one operator for these x
};

constexpr bool is_prefix_letter(unsigned char c) {
  return c == 'r' || c == 'b' || c == 'u' || c == 'f' || c == 'R' || c == 'B' || c == 'U' || c == 'F';
}

constexpr CharTables make_char_tables() {
  CharTables t{};
  for (int c = 0; c < 256; ++c) {
    bool name_start = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c >= 0x80;
    bool digit = c >= '0' && c <= '9';
    t.name_char[c] = name_start || digit;
    t.string_stop[c] = c == '"' || c == '\'' || c == '\\' || c == '\n';
    t.before_equals[c] = c == '=' || c == '!' || c == '<' || c == '>' || c == '+' || c == '-' ||
                         c == '*' || c == '/' || c == '%' || c == '|' || c == '&' || c == ':';
    CharClass k = kOperator;
    if (c == ' ' || c == '\t' || c == '\r' || c == '\f') k = kBlank;
    else if (c == '\n') k = kNewline;
    else if (c == '\\') k = kBackslash;
    else if (c == '#') k = kHash;
    else if (c == '"' || c == '\'') k = kQuote;
    else if (is_prefix_letter(static_cast<unsigned char>(c))) k = kPrefixLetter;
    else if (name_start) k = kNameStart;
    else if (digit) k = kDigit;
    else if (c == '.') k = kDot;
    else if (c == '(' || c == '[' || c == '{') k = kOpenBracket;
    else if (c == ')' || c == ']' || c == '}') k = kCloseBracket;
    t.klass[c] = k;
  }
  return t;
}
constexpr CharTables kChars = make_char_tables();

bool is_name_char(unsigned char c) { return kChars.name_char[c]; }
bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_quote(char c) { return c == '"' || c == '\''; }

}  // namespace

[[gnu::flatten]] void tokenize_python(std::string_view src, TokenizedSource& out, NameTable* names) {
  out.source = src;
  out.tokens.clear();
  out.statements.clear();
  out.comments.clear();
  out.open_brackets.clear();
  std::vector<Token>& tokens = out.tokens;
  std::vector<uint32_t>& open_brackets = out.open_brackets;  // its size is the bracket depth
  const size_t n = src.size();
  // Every token has at least one byte: with room for n tokens, pushing never reallocates.
  tokens.reserve(n);
  size_t i = 0;
  uint32_t line = 1;
  bool line_has_code = false;
  uint32_t stmt_first = 0;
  uint32_t stmt_indent = 0;
  uint32_t stmt_line = 1;
  size_t line_start = 0;

  auto end_statement = [&]() {
    if (line_has_code) {
      out.statements.push_back(Statement{stmt_first, static_cast<uint32_t>(tokens.size()),
                                         stmt_indent, stmt_line});
    }
    line_has_code = false;
  };
  auto push = [&](const Token& t) {
    if (!line_has_code) {
      line_has_code = true;
      stmt_first = static_cast<uint32_t>(tokens.size());
      stmt_indent = static_cast<uint32_t>(t.begin - line_start);
      stmt_line = t.line;
    }
    tokens.push_back(t);
  };
  auto lex_string = [&](size_t prefix) {
    Token t{TokenKind::kString};
    t.begin = static_cast<uint32_t>(i);
    t.line = line;
    t.string_prefix_len = static_cast<uint8_t>(prefix);
    for (size_t k = 0; k < prefix; ++k) {
      char p = ascii_lower(src[i + k]);
      t.f_string |= p == 'f';
      t.raw_string |= p == 'r';
    }
    size_t q = i + prefix;
    char quote = src[q];
    bool triple = q + 2 < n && src[q + 1] == quote && src[q + 2] == quote;
    t.quote_len = triple ? 3 : 1;
    size_t k = q + t.quote_len;
    for (;;) {
      while (k < n && !kChars.string_stop[static_cast<unsigned char>(src[k])]) ++k;
      if (k >= n) break;
      char d = src[k];
      if (d == '\\' && k + 1 < n) {
        if (src[k + 1] == '\n') ++line;
        k += 2;
        continue;
      }
      if (d == '\n') {
        if (!triple) break;  // unterminated single-quoted string ends at the line
        ++line;
      }
      if (d == quote) {
        if (!triple) {
          ++k;
          break;
        }
        if (k + 2 < n && src[k + 1] == quote && src[k + 2] == quote) {
          k += 3;
          break;
        }
      }
      ++k;
    }
    t.end = static_cast<uint32_t>(std::min(k, n));
    push(t);
    i = t.end;
  };
  auto lex_name = [&]() {
    size_t k = i + 1;
    while (k < n && is_name_char(static_cast<unsigned char>(src[k]))) ++k;
    Token t{TokenKind::kName};
    t.begin = static_cast<uint32_t>(i);
    t.end = static_cast<uint32_t>(k);
    t.line = line;
    if (names) {
      const std::string_view name(src.data() + i, k - i);
      t.name_id = names->intern(name, NameTable::hash(name, n - i));
    }
    push(t);
    i = k;
  };
  auto lex_operator = [&](size_t len) {
    Token t{TokenKind::kOp};
    t.begin = static_cast<uint32_t>(i);
    t.end = static_cast<uint32_t>(i + len);
    t.line = line;
    t.op = op_code(src.substr(i, len));
    push(t);
    i += len;
  };

  while (i < n) {
    unsigned char c = static_cast<unsigned char>(src[i]);
    switch (kChars.klass[c]) {
      case kBlank:
        // Indentation comes in runs.
        do {
          ++i;
        } while (i < n && kChars.klass[static_cast<unsigned char>(src[i])] == kBlank);
        continue;
      case kNewline:
        ++line;
        ++i;
        line_start = i;
        if (open_brackets.empty()) end_statement();
        continue;
      case kBackslash:
        if (i + 1 < n && (src[i + 1] == '\n' || src[i + 1] == '\r')) {
          // Explicit line continuation.
          i += (src[i + 1] == '\r' && i + 2 < n && src[i + 2] == '\n') ? 3 : 2;
          ++line;
          line_start = i;
          continue;
        }
        break;  // a lone backslash is an operator
      case kHash: {
        size_t e = src.find('\n', i);
        if (e == std::string_view::npos) e = n;
        Token t{TokenKind::kComment};
        t.begin = static_cast<uint32_t>(i);
        t.end = static_cast<uint32_t>(e);
        t.line = line;
        out.comments.push_back(t);
        i = e;
        continue;
      }
      case kQuote:
        lex_string(0);
        continue;
      case kPrefixLetter: {
        // A string prefix is one or two of r, b, u, f followed by a quote: rb"..", f'..'.
        size_t k = i + 1;
        if (k < n && is_prefix_letter(static_cast<unsigned char>(src[k]))) ++k;
        if (k < n && is_quote(src[k])) {
          lex_string(k - i);
        } else {
          lex_name();
        }
        continue;
      }
      case kNameStart:
        lex_name();
        continue;
      case kDot:
        if (!(i + 1 < n && is_digit(src[i + 1]))) break;  // the operator "."
        [[fallthrough]];
      case kDigit: {
        size_t k = i + 1;
        while (k < n && (is_name_char(static_cast<unsigned char>(src[k])) || src[k] == '.')) ++k;
        Token t{TokenKind::kNumber};
        t.begin = static_cast<uint32_t>(i);
        t.end = static_cast<uint32_t>(k);
        t.line = line;
        push(t);
        i = k;
        continue;
      }
      case kOpenBracket:
        open_brackets.push_back(static_cast<uint32_t>(tokens.size()));
        lex_operator(1);
        continue;
      case kCloseBracket:
        if (!open_brackets.empty()) {
          tokens[open_brackets.back()].closing = static_cast<uint32_t>(tokens.size());
          open_brackets.pop_back();
        }
        lex_operator(1);
        continue;
      case kOperator:
        break;
    }
    // Operators: two-character ones we reason about, otherwise one character.
    size_t len = 1;
    if (i + 1 < n) {
      char d = src[i + 1];
      if ((d == '=' && kChars.before_equals[c]) || (c == '*' && d == '*') || (c == '/' && d == '/') ||
          (c == '-' && d == '>')) {
        len = 2;
      }
    }
    lex_operator(len);
  }
  end_statement();
}

}  // namespace alignwatch::scan::python
