// A tolerant C tokenizer for scanning eBPF sources: not a parser. It understands comments,
// string and character literals and preprocessor lines well enough that `///` doc comments,
// declarations and helper calls can be found without being fooled by text inside them.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace lmp::compiler {

enum class TokenKind {
  kIdent,    // identifier or keyword
  kNumber,   // numeric literal (loosely: digits, letters, dots)
  kString,   // "..." literal; text is the unquoted, unescaped content
  kChar,     // '...' literal, text as written
  kPunct,    // one punctuation character, or "->"
  kDoc,      // one `///` comment line; text is what follows `///` (one leading space removed)
  kInclude,  // #include "file" (quoted form only); text is the file name
};

struct Token {
  TokenKind kind;
  std::string text;
  std::size_t line = 0;  // 1-based
};

// Splits `source` into tokens. Ordinary comments and other preprocessor lines are dropped;
// an unterminated comment or literal ends at the end of the input.
std::vector<Token> tokenize_c(std::string_view source);

// True when `token` is the punctuation character `c`.
inline bool is_punct(const Token& token, char c) {
  return token.kind == TokenKind::kPunct && token.text.size() == 1 && token.text[0] == c;
}
inline bool is_ident(const Token& token, std::string_view name) {
  return token.kind == TokenKind::kIdent && token.text == name;
}

// Index of the token closing the bracket opened at `open` ((, [ or {), or tokens.size().
std::size_t find_closing(const std::vector<Token>& tokens, std::size_t open);

}  // namespace lmp::compiler
