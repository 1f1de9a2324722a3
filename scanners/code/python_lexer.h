#pragma once
// A tokenizer for Python source that is good enough to reason about code in datasets: strings
// (all prefixes, triple quotes, f-string flags), names, numbers, operators, comments, and
// logical lines (statements) with their indentation. It never fails: malformed code (a
// truncated completion, an unclosed string) still yields tokens up to the end.

#include <cstdint>
#include <string_view>
#include <vector>

namespace alignwatch::scan::python {

enum class TokenKind : uint8_t { kName, kNumber, kString, kOp, kComment };

struct Token {
  TokenKind kind;
  uint8_t string_prefix_len = 0;  // for strings: bytes of r/b/f/u prefix
  uint8_t quote_len = 0;          // 1 or 3
  bool f_string = false;
  bool raw_string = false;
  uint32_t begin = 0;  // byte offsets in the source
  uint32_t end = 0;
  uint32_t line = 1;   // 1-based line of the first byte
};

struct Statement {
  uint32_t first_token = 0;  // [first_token, end_token) in the token vector, comments excluded
  uint32_t end_token = 0;
  uint32_t indent = 0;       // column of the first token
  uint32_t line = 1;
};

struct TokenizedSource {
  std::string_view source;
  std::vector<Token> tokens;    // code tokens; statements index into these
  std::vector<Token> comments;  // comment tokens, kept apart
  std::vector<Statement> statements;

  std::string_view text(const Token& t) const { return source.substr(t.begin, t.end - t.begin); }
  // The content of a string token without prefix and quotes.
  std::string_view string_body(const Token& t) const;
};

void tokenize_python(std::string_view source, TokenizedSource& out);

}  // namespace alignwatch::scan::python
