#include "compiler/c_tokens.h"

#include <cctype>

namespace lmp::compiler {
namespace {

bool is_ident_start(char c) {
  return std::isalpha(static_cast<unsigned char>(c)) || c == '_';
}
bool is_ident_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
}

class Tokenizer {
 public:
  explicit Tokenizer(std::string_view source) : src_(source) {}

  std::vector<Token> run() {
    bool line_start = true;  // only whitespace seen since the last newline
    while (pos_ < src_.size()) {
      char c = src_[pos_];
      if (c == '\n') {
        ++line_;
        ++pos_;
        line_start = true;
        continue;
      }
      if (std::isspace(static_cast<unsigned char>(c))) {
        ++pos_;
        continue;
      }
      if (c == '#' && line_start) {
        preprocessor_line();
        continue;
      }
      line_start = false;
      if (starts_with("//")) {
        line_comment();
      } else if (starts_with("/*")) {
        block_comment();
      } else if (c == '"') {
        push(TokenKind::kString, quoted('"'));
      } else if (c == '\'') {
        std::size_t begin = pos_;
        quoted('\'');
        push(TokenKind::kChar, std::string(src_.substr(begin, pos_ - begin)));
      } else if (is_ident_start(c)) {
        std::size_t begin = pos_;
        while (pos_ < src_.size() && is_ident_char(src_[pos_])) ++pos_;
        push(TokenKind::kIdent, std::string(src_.substr(begin, pos_ - begin)));
      } else if (std::isdigit(static_cast<unsigned char>(c))) {
        std::size_t begin = pos_;
        while (pos_ < src_.size() && (is_ident_char(src_[pos_]) || src_[pos_] == '.')) ++pos_;
        push(TokenKind::kNumber, std::string(src_.substr(begin, pos_ - begin)));
      } else if (starts_with("->")) {
        pos_ += 2;
        push(TokenKind::kPunct, "->");
      } else {
        ++pos_;
        push(TokenKind::kPunct, std::string(1, c));
      }
    }
    return std::move(tokens_);
  }

 private:
  bool starts_with(std::string_view s) const { return src_.substr(pos_).starts_with(s); }

  void push(TokenKind kind, std::string text) {
    tokens_.push_back(Token{kind, std::move(text), line_});
  }

  void line_comment() {
    std::size_t end = src_.find('\n', pos_);
    if (end == std::string_view::npos) end = src_.size();
    std::string_view body = src_.substr(pos_, end - pos_);
    pos_ = end;
    if (!body.starts_with("///") || body.starts_with("////")) return;
    body.remove_prefix(3);
    if (!body.empty() && body.front() == ' ') body.remove_prefix(1);
    while (!body.empty() && std::isspace(static_cast<unsigned char>(body.back()))) {
      body.remove_suffix(1);
    }
    push(TokenKind::kDoc, std::string(body));
  }

  void block_comment() {
    std::size_t end = src_.find("*/", pos_ + 2);
    std::size_t stop = end == std::string_view::npos ? src_.size() : end + 2;
    for (std::size_t i = pos_; i < stop; ++i) line_ += src_[i] == '\n';
    pos_ = stop;
  }

  // Consumes a literal starting at the quote; returns its content with escapes resolved
  // (only the simple ones; the text is used for names such as SEC("...") arguments).
  std::string quoted(char quote) {
    std::string out;
    ++pos_;
    while (pos_ < src_.size() && src_[pos_] != quote && src_[pos_] != '\n') {
      if (src_[pos_] == '\\' && pos_ + 1 < src_.size()) {
        char e = src_[pos_ + 1];
        out += e == 'n' ? '\n' : e == 't' ? '\t' : e;
        if (e == '\n') ++line_;
        pos_ += 2;
        continue;
      }
      out += src_[pos_++];
    }
    if (pos_ < src_.size() && src_[pos_] == quote) ++pos_;
    return out;
  }

  // Skips a preprocessor line (with backslash continuations and comments); records
  // `#include "file"`.
  void preprocessor_line() {
    std::string text;
    while (pos_ < src_.size() && src_[pos_] != '\n') {
      if (starts_with("\\\n")) {
        pos_ += 2;
        ++line_;
        continue;
      }
      if (starts_with("/*")) {
        block_comment();
        continue;
      }
      if (starts_with("//")) {
        while (pos_ < src_.size() && src_[pos_] != '\n') ++pos_;
        break;
      }
      text += src_[pos_++];
    }
    std::string_view rest(text);
    rest.remove_prefix(1);  // '#'
    while (!rest.empty() && std::isspace(static_cast<unsigned char>(rest.front()))) {
      rest.remove_prefix(1);
    }
    if (!rest.starts_with("include")) return;
    std::size_t open = rest.find('"');
    std::size_t close = open == std::string_view::npos ? open : rest.find('"', open + 1);
    if (close == std::string_view::npos) return;
    push(TokenKind::kInclude, std::string(rest.substr(open + 1, close - open - 1)));
  }

  std::string_view src_;
  std::size_t pos_ = 0;
  std::size_t line_ = 1;
  std::vector<Token> tokens_;
};

}  // namespace

std::vector<Token> tokenize_c(std::string_view source) {
  return Tokenizer(source).run();
}

std::size_t find_closing(const std::vector<Token>& tokens, std::size_t open) {
  if (open >= tokens.size() || tokens[open].kind != TokenKind::kPunct) return tokens.size();
  char o = tokens[open].text[0];
  char c = o == '(' ? ')' : o == '[' ? ']' : o == '{' ? '}' : '\0';
  if (c == '\0') return tokens.size();
  int depth = 0;
  for (std::size_t i = open; i < tokens.size(); ++i) {
    if (is_punct(tokens[i], o)) ++depth;
    if (is_punct(tokens[i], c) && --depth == 0) return i;
  }
  return tokens.size();
}

}  // namespace lmp::compiler
