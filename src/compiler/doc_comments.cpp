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
  if (nlohmann::json::accept(value)) return nlohmann::json::parse(value);
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

std::vector<DocBlock> parse_doc_comments(const std::vector<Token>& tokens) {
  std::vector<DocBlock> blocks;
  std::size_t i = 0;
  int depth = 0;  // brace depth: blocks inside structs and functions document no global
  while (i < tokens.size()) {
    if (tokens[i].kind != TokenKind::kDoc || depth > 0) {
      if (is_punct(tokens[i], '{')) ++depth;
      if (is_punct(tokens[i], '}') && depth > 0) --depth;
      ++i;
      continue;
    }
    DocBlock block;
    block.line = tokens[i].line;
    std::size_t last_line = tokens[i].line;
    for (; i < tokens.size() && tokens[i].kind == TokenKind::kDoc; ++i) {
      // A gap of blank or ordinary-comment lines splits blocks: only the last one counts.
      if (tokens[i].line > last_line + 1) {
        block = DocBlock{};
        block.line = tokens[i].line;
      }
      add_doc_line(block, tokens[i]);
      last_line = tokens[i].line;
    }
    if (i < tokens.size() && tokens[i].line == last_line + 1) {
      DocBlock decl = classify_declaration(tokens, i);
      block.kind = decl.kind;
      block.ident = std::move(decl.ident);
      block.section = std::move(decl.section);
    }
    blocks.push_back(std::move(block));
  }
  return blocks;
}

}  // namespace lmp::compiler
