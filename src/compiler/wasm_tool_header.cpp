#include "compiler/wasm_tool_header.h"

#include <vector>

#include "compiler/c_tokens.h"

namespace lmp::compiler {
namespace {

// The preprocessor lines of `text` (comments removed, leading blanks trimmed), in order.
std::vector<std::string> directives(std::string_view text) {
  std::vector<std::string> lines;
  std::string line;
  bool in_block = false;
  bool at_line_start = true;
  bool in_directive = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (in_block) {
      if (c == '*' && i + 1 < text.size() && text[i + 1] == '/') in_block = false, ++i;
      continue;
    }
    if (c == '/' && i + 1 < text.size() && text[i + 1] == '*') {
      in_block = true;
      ++i;
      continue;
    }
    if (c == '/' && i + 1 < text.size() && text[i + 1] == '/') {
      while (i + 1 < text.size() && text[i + 1] != '\n') ++i;
      continue;
    }
    if (c == '\n') {
      if (in_directive) lines.push_back(line);
      line.clear();
      in_directive = false;
      at_line_start = true;
      continue;
    }
    if (at_line_start && (c == ' ' || c == '\t')) continue;
    if (at_line_start && c == '#') in_directive = true;
    at_line_start = false;
    if (in_directive) line += c;
  }
  if (in_directive) lines.push_back(line);
  return lines;
}

// "#ifndef  X" -> {"ifndef", "X"}.
std::pair<std::string, std::string> split_directive(const std::string& line) {
  std::size_t i = 1;
  auto skip_blanks = [&] {
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
  };
  auto word = [&] {
    std::size_t start = i;
    while (i < line.size() && line[i] != ' ' && line[i] != '\t') ++i;
    return line.substr(start, i - start);
  };
  skip_blanks();
  std::string name = word();
  skip_blanks();
  return {name, word()};
}

}  // namespace

ToolHeader read_tool_header(std::string_view text) {
  ToolHeader header;
  auto lines = directives(text);
  for (const auto& line : lines) {
    auto [name, arg] = split_directive(line);
    if (name == "pragma" && arg == "once") header.pragma_once = true;
  }
  if (lines.size() >= 2) {
    auto [first, guard] = split_directive(lines[0]);
    auto [second, defined] = split_directive(lines[1]);
    if (first == "ifndef" && second == "define" && !guard.empty() && guard == defined)
      header.guard = guard;
  }
  auto tokens = tokenize_c(text);
  for (std::size_t i = 0; i + 2 < tokens.size(); ++i) {
    const Token& kind = tokens[i];
    if (!(is_ident(kind, "struct") || is_ident(kind, "union") || is_ident(kind, "enum"))) continue;
    if (tokens[i + 1].kind != TokenKind::kIdent || !is_punct(tokens[i + 2], '{')) continue;
    header.tags.insert(kind.text + " " + tokens[i + 1].text);
  }
  return header;
}

}  // namespace lmp::compiler
