#pragma once
// A tokenizer for Python source that is good enough to reason about code in datasets: strings
// (all prefixes, triple quotes, f-string flags), names, numbers, operators, comments, and
// logical lines (statements) with their indentation. It never fails: malformed code (a
// truncated completion, an unclosed string) still yields tokens up to the end.
//
// Tokens carry what an analysis compares most, as integers: an operator's bytes (op_code) and,
// when a NameTable is given, a name's id.

#include <cstdint>
#include <string_view>
#include <vector>

namespace alignwatch::scan::python {

class NameTable;

enum class TokenKind : uint8_t { kName, kNumber, kString, kOp, kComment };

// The bytes of an operator packed into one integer ("=" is '=', "==" is '=' | '=' << 8), so
// that testing a token for an operator is one compare.
constexpr uint16_t op_code(std::string_view op) {
  return static_cast<uint16_t>(static_cast<unsigned char>(op[0]) |
                               (op.size() > 1 ? static_cast<unsigned char>(op[1]) << 8 : 0));
}

struct Token {
  TokenKind kind;
  uint8_t string_prefix_len = 0;  // for strings: bytes of r/b/f/u prefix
  uint8_t quote_len = 0;          // 1 or 3
  bool f_string = false;
  bool raw_string = false;
  uint16_t op = 0;     // for operators: op_code of the text; 0 for other tokens
  uint32_t begin = 0;  // byte offsets in the source
  uint32_t end = 0;
  uint32_t line = 1;   // 1-based line of the first byte
  uint32_t name_id = 0;  // for names tokenized with a NameTable: the name's id; 0 otherwise
  // For an opening bracket: the index of the token that closes it (brackets pair up by depth
  // whatever their kind, unmatched closers are skipped), or kNoClosing.
  uint32_t closing = kNoClosing;
  static constexpr uint32_t kNoClosing = UINT32_MAX;
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
  std::vector<uint32_t> open_brackets;  // scratch: indexes of the brackets not closed yet

  std::string_view text(const Token& t) const { return source.substr(t.begin, t.end - t.begin); }
  // The content of a string token without prefix and quotes.
  std::string_view string_body(const Token& t) const;
};

// Tokenizes `source` into `out`, reusing its buffers. With `names`, every name token gets its
// id in that table (names new to the table are added).
void tokenize_python(std::string_view source, TokenizedSource& out, NameTable* names = nullptr);

}  // namespace alignwatch::scan::python
