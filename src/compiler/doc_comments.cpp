#include "compiler/doc_comments.h"

#include <cctype>

namespace lmp::compiler {
namespace {

std::string trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return std::string(s);
}

// BPF_PROG(name, ...), BPF_KPROBE(name, ...) and friends name the program in their first argument.
bool is_program_macro(std::string_view name) {
  if (name.starts_with("BPF_")) return true;
  for (char c : name) {
    if (std::islower(static_cast<unsigned char>(c))) return false;
  }
  return !name.empty();
}

bool is_open_json(const DocAnnotation& a) {
  return (a.value.starts_with("{") || a.value.starts_with("[")) && !nlohmann::json::accept(a.value);
}

// Annotations whose text may continue on the following plain `///` lines.
bool is_prose(std::string_view key) {
  return key == "description" || key == "brief" || key == "details";
}

void add_doc_line(DocBlock& block, const Token& token) {
  std::string line = trim(token.text);
  if (!block.annotations.empty() && !line.starts_with("@") && !line.empty()) {
    DocAnnotation& last = block.annotations.back();
    if (is_open_json(last)) {
      last.value += "\n" + line;
      return;
    }
    if (is_prose(last.key)) {
      last.value += (last.value.empty() ? "" : " ") + line;
      return;
    }
  }
  if (line.starts_with("@") && line.size() > 1) {
    std::size_t end = 1;
    while (end < line.size() && !std::isspace(static_cast<unsigned char>(line[end]))) ++end;
    block.annotations.push_back(
        DocAnnotation{line.substr(1, end - 1), trim(line.substr(end)), token.line});
    return;
  }
  if (!line.empty()) block.text.push_back(line);
}

}  // namespace

std::string DocBlock::description() const {
  std::string out;
  for (const auto& t : text) out += (out.empty() ? "" : " ") + t;
  return out;
}

const DocAnnotation* DocBlock::find(std::string_view key) const {
  for (auto it = annotations.rbegin(); it != annotations.rend(); ++it) {
    if (it->key == key) return &*it;
  }
  return nullptr;
}

nlohmann::json annotation_json(std::string_view value) {
  if (value.empty()) return true;
  auto parsed = nlohmann::json::parse(value, nullptr, /*allow_exceptions=*/false);
  if (!parsed.is_discarded()) return parsed;
  return std::string(value);
}

DocBlock classify_declaration(const std::vector<Token>& tokens, std::size_t begin) {
  DocBlock decl;
  const std::size_t n = tokens.size();
  std::size_t k = begin;
  // `struct NAME {...};` is a type; `struct {...} NAME ...` continues as a declaration.
  if (k < n && (is_ident(tokens[k], "struct") || is_ident(tokens[k], "union"))) {
    std::size_t j = k + 1;
    std::string tag;
    if (j < n && tokens[j].kind == TokenKind::kIdent) tag = tokens[j++].text;
    if (j < n && is_punct(tokens[j], '{')) {
      std::size_t after = find_closing(tokens, j) + 1;
      if (after < n && is_punct(tokens[after], ';')) {
        if (!tag.empty()) decl.kind = DeclKind::kStruct, decl.ident = tag;
        return decl;
      }
      k = after;
    }
  }
  std::string last_ident, function, variable;
  while (k < n) {
    const Token& t = tokens[k];
    bool call = k + 1 < n && is_punct(tokens[k + 1], '(');
    if (call && (is_ident(t, "SEC") || is_ident(t, "__attribute__") || is_ident(t, "__section"))) {
      std::size_t close = find_closing(tokens, k + 1);
      if (is_ident(t, "SEC") && k + 2 < n && tokens[k + 2].kind == TokenKind::kString) {
        decl.section = tokens[k + 2].text;
      }
      k = close + 1;
      continue;
    }
    if (t.kind == TokenKind::kDoc || t.kind == TokenKind::kInclude) break;
    if (is_punct(t, '(')) {
      std::size_t close = find_closing(tokens, k);
      if (function.empty() && variable.empty() && !last_ident.empty()) {
        function = last_ident;
        if (is_program_macro(function) && k + 1 < n && tokens[k + 1].kind == TokenKind::kIdent) {
          function = tokens[k + 1].text;
        }
      }
      k = close + 1;
      continue;
    }
    if (is_punct(t, '[') || is_punct(t, '=') || is_punct(t, ';') || is_punct(t, ',')) {
      if (variable.empty() && function.empty()) variable = last_ident;
      if (is_punct(t, '[')) {
        k = find_closing(tokens, k) + 1;
        continue;
      }
      if (!is_punct(t, ',')) break;
    }
    if (is_punct(t, '{') || is_punct(t, '}')) break;
    if (t.kind == TokenKind::kIdent) last_ident = t.text;
    ++k;
  }
  if (!function.empty()) {
    decl.kind = decl.section.empty() ? DeclKind::kFunction : DeclKind::kProgram;
    decl.ident = function;
  } else if (!variable.empty()) {
    decl.kind = decl.section == ".maps" ? DeclKind::kMap : DeclKind::kVariable;
    decl.ident = variable;
  }
  return decl;
}

namespace {

// The name a struct member declaration starting at tokens[begin] declares: the last identifier
// before its array bounds, bit width, initializer or end; nested bodies are skipped, so
// `union {...} u;` declares `u`.
std::string member_name(const std::vector<Token>& tokens, std::size_t begin) {
  std::string name;
  for (std::size_t k = begin; k < tokens.size(); ++k) {
    const Token& t = tokens[k];
    if (is_punct(t, '{') || is_punct(t, '(')) {
      k = find_closing(tokens, k);
      continue;
    }
    if (is_punct(t, '[') || is_punct(t, ';') || is_punct(t, ':') || is_punct(t, ',') ||
        is_punct(t, '=') || is_punct(t, '}') || t.kind == TokenKind::kDoc) {
      break;
    }
    if (t.kind == TokenKind::kIdent) name = t.text;
  }
  return name;
}

// The first token of the member declaration that ends at tokens[end] (its ';').
std::size_t member_begin(const std::vector<Token>& tokens, std::size_t end) {
  std::size_t k = end;
  int nesting = 0;  // inside a nested body, walking backwards
  while (k > 0) {
    const Token& t = tokens[k - 1];
    if (is_punct(t, '}')) ++nesting;
    if (is_punct(t, '{')) {
      if (nesting == 0) break;
      --nesting;
    }
    if (nesting == 0 && (is_punct(t, ';') || t.kind == TokenKind::kDoc)) break;
    --k;
  }
  return k;
}

// The struct or union whose body the '{' at tokens[open] starts, when it has a name.
std::string struct_tag(const std::vector<Token>& tokens, std::size_t open) {
  if (open < 2 || tokens[open - 1].kind != TokenKind::kIdent) return {};
  if (!is_ident(tokens[open - 2], "struct") && !is_ident(tokens[open - 2], "union")) return {};
  return tokens[open - 1].text;
}

bool is_trailing_doc(const std::vector<Token>& tokens, std::size_t i) {
  return tokens[i].kind == TokenKind::kDoc && tokens[i].text.starts_with("<") && i > 0 &&
         tokens[i - 1].kind != TokenKind::kDoc && tokens[i - 1].line == tokens[i].line;
}

// Reads the doc lines starting at tokens[i] into a block; returns the index after them. A gap
// of blank or ordinary-comment lines splits blocks: only the last one counts.
std::size_t read_block(const std::vector<Token>& tokens, std::size_t i, DocBlock& block) {
  block.line = tokens[i].line;
  std::size_t last_line = tokens[i].line;
  for (; i < tokens.size() && tokens[i].kind == TokenKind::kDoc; ++i) {
    if (tokens[i].line > last_line + 1) {
      block = DocBlock{};
      block.line = tokens[i].line;
    }
    add_doc_line(block, tokens[i]);
    last_line = tokens[i].line;
  }
  return i;
}

// A trailing `///< text` (and `///<` lines right below it) documents the member it follows.
std::size_t read_trailing_block(const std::vector<Token>& tokens, std::size_t i,
                                const std::string& parent, std::vector<DocBlock>& blocks) {
  DocBlock block;
  block.kind = DeclKind::kMember;
  block.parent = parent;
  block.line = tokens[i].line;
  block.ident = member_name(tokens, member_begin(tokens, i - 1));
  std::size_t last_line = tokens[i].line;
  for (; i < tokens.size() && tokens[i].kind == TokenKind::kDoc &&
         tokens[i].text.starts_with("<") && tokens[i].line <= last_line + 1;
       ++i) {
    Token line = tokens[i];
    line.text.erase(0, 1);
    add_doc_line(block, line);
    last_line = tokens[i].line;
  }
  if (!block.ident.empty()) blocks.push_back(std::move(block));
  return i;
}

}  // namespace

std::vector<DocBlock> parse_doc_comments(const std::vector<Token>& tokens) {
  std::vector<DocBlock> blocks;
  std::size_t i = 0;
  int depth = 0;       // brace depth: blocks inside functions document no global
  std::string parent;  // the named top-level struct whose body we are in, if any
  while (i < tokens.size()) {
    if (tokens[i].kind != TokenKind::kDoc) {
      if (is_punct(tokens[i], '{') && ++depth == 1) parent = struct_tag(tokens, i);
      if (is_punct(tokens[i], '}') && depth > 0 && --depth == 0) parent.clear();
      ++i;
      continue;
    }
    if (depth > 0 && parent.empty()) {
      ++i;
      continue;
    }
    if (depth > 0 && is_trailing_doc(tokens, i)) {
      i = read_trailing_block(tokens, i, parent, blocks);
      continue;
    }
    DocBlock block;
    i = read_block(tokens, i, block);
    std::size_t last_line = tokens[i - 1].line;
    if (i < tokens.size() && tokens[i].line == last_line + 1) {
      if (depth > 0) {
        block.kind = DeclKind::kMember;
        block.parent = parent;
        block.ident = member_name(tokens, i);
        if (block.ident.empty()) block.kind = DeclKind::kNone;
      } else {
        DocBlock decl = classify_declaration(tokens, i);
        block.kind = decl.kind;
        block.ident = std::move(decl.ident);
        block.section = std::move(decl.section);
      }
    }
    if (depth > 0 && block.kind == DeclKind::kNone) continue;  // a note inside a struct
    blocks.push_back(std::move(block));
  }
  return blocks;
}

}  // namespace lmp::compiler
