#include "scanners/code/python_lexer.h"

#include "core/text.h"

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

bool is_name_start(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c >= 0x80;
}
bool is_name_char(unsigned char c) { return is_name_start(c) || (c >= '0' && c <= '9'); }

// Length of a string prefix (r, b, u, f, rb, br, fr, rf in any case) at `i` followed by a quote,
// or -1 when there is none.
int string_prefix_at(std::string_view s, size_t i) {
  size_t k = i;
  while (k < s.size() && k - i < 2) {
    char c = ascii_lower(s[k]);
    if (c == 'r' || c == 'b' || c == 'u' || c == 'f') {
      ++k;
    } else {
      break;
    }
  }
  if (k < s.size() && (s[k] == '"' || s[k] == '\'')) return static_cast<int>(k - i);
  return -1;
}

}  // namespace

void tokenize_python(std::string_view src, TokenizedSource& out) {
  out.source = src;
  out.tokens.clear();
  out.statements.clear();
  out.comments.clear();
  const size_t n = src.size();
  size_t i = 0;
  uint32_t line = 1;
  int depth = 0;
  bool line_has_code = false;
  uint32_t stmt_first = 0;
  uint32_t stmt_indent = 0;
  uint32_t stmt_line = 1;
  size_t line_start = 0;

  auto end_statement = [&]() {
    if (line_has_code) {
      out.statements.push_back(Statement{stmt_first, static_cast<uint32_t>(out.tokens.size()),
                                         stmt_indent, stmt_line});
    }
    line_has_code = false;
  };
  auto push = [&](Token t) {
    if (!line_has_code && t.kind != TokenKind::kComment) {
      line_has_code = true;
      stmt_first = static_cast<uint32_t>(out.tokens.size());
      stmt_indent = static_cast<uint32_t>(t.begin - line_start);
      stmt_line = t.line;
    }
    out.tokens.push_back(t);
  };

  while (i < n) {
    unsigned char c = static_cast<unsigned char>(src[i]);
    if (c == '\n') {
      ++line;
      ++i;
      line_start = i;
      if (depth == 0) end_statement();
      continue;
    }
    if (c == ' ' || c == '\t' || c == '\r' || c == '\f') {
      ++i;
      continue;
    }
    if (c == '\\' && i + 1 < n && (src[i + 1] == '\n' || src[i + 1] == '\r')) {
      // Explicit line continuation.
      i += (src[i + 1] == '\r' && i + 2 < n && src[i + 2] == '\n') ? 3 : 2;
      ++line;
      line_start = i;
      continue;
    }
    if (c == '#') {
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
    int prefix = is_name_start(c) || c == '"' || c == '\'' ? string_prefix_at(src, i) : -1;
    if (prefix >= 0) {
      Token t{TokenKind::kString};
      t.begin = static_cast<uint32_t>(i);
      t.line = line;
      t.string_prefix_len = static_cast<uint8_t>(prefix);
      for (int k = 0; k < prefix; ++k) {
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
      continue;
    }
    if (is_name_start(c)) {
      size_t k = i + 1;
      while (k < n && is_name_char(static_cast<unsigned char>(src[k]))) ++k;
      Token t{TokenKind::kName};
      t.begin = static_cast<uint32_t>(i);
      t.end = static_cast<uint32_t>(k);
      t.line = line;
      push(t);
      i = k;
      continue;
    }
    if ((c >= '0' && c <= '9') || (c == '.' && i + 1 < n && src[i + 1] >= '0' && src[i + 1] <= '9')) {
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
    // Operators: two-character ones we reason about, otherwise one character.
    Token t{TokenKind::kOp};
    t.begin = static_cast<uint32_t>(i);
    t.line = line;
    size_t len = 1;
    if (i + 1 < n) {
      char d = src[i + 1];
      if ((d == '=' && (c == '=' || c == '!' || c == '<' || c == '>' || c == '+' || c == '-' ||
                        c == '*' || c == '/' || c == '%' || c == '|' || c == '&' || c == ':')) ||
          (c == '*' && d == '*') || (c == '/' && d == '/') || (c == '-' && d == '>')) {
        len = 2;
      }
    }
    if (c == '(' || c == '[' || c == '{') ++depth;
    if ((c == ')' || c == ']' || c == '}') && depth > 0) --depth;
    t.end = static_cast<uint32_t>(i + len);
    push(t);
    i += len;
  }
  end_statement();
}

}  // namespace alignwatch::scan::python
