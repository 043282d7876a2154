// `///` doc comments in eBPF sources: which declaration each block documents and what it says.
// Syntax (see docs/build.md): plain lines are the description; `@key text` lines are
// annotations (`@cmdarg {json}`, `@sample {json}`, `@description text`, `@export`, ...).
// A JSON value may continue over the following `///` lines until it parses; the text of
// @description, @brief and @details continues over following plain lines. Members of a named
// struct are documented by a block on the lines above them or by a trailing `///<` comment on
// the member's line (`int flags; ///< @format flags:open`).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "compiler/c_tokens.h"

namespace lmp::compiler {

enum class DeclKind {
  kNone,      // the block is not directly followed by a declaration we understand
  kVariable,  // a global variable (LICENSE included; see `section`)
  kMap,       // `struct {...} NAME SEC(".maps")`
  kProgram,   // a function with SEC("...")
  kStruct,    // `struct NAME {...};` (a type definition)
  kFunction,  // a function without SEC(): a helper, documented for readers only
  kMember,    // a member of the struct named in `parent` (its `/// @format` is read)
};

struct DocAnnotation {
  std::string key;    // without '@'
  std::string value;  // the rest of the line (and JSON continuation lines), trimmed
  std::size_t line = 0;
};

struct DocBlock {
  DeclKind kind = DeclKind::kNone;
  std::string ident;              // variable, map, function, struct or member name
  std::string parent;             // kMember: the struct's name
  std::string file;               // where the block was read, when the caller sets it
  std::string section;            // SEC("...") argument of the declaration, if any
  std::size_t line = 0;           // line of the first `///`
  std::vector<std::string> text;  // plain lines, in order
  std::vector<DocAnnotation> annotations;

  // Plain lines joined by single spaces.
  std::string description() const;
  const DocAnnotation* find(std::string_view key) const;
};

// Finds every `///` block and the declaration that starts on the line right after it, and the
// member blocks of named structs (leading blocks and trailing `///<` lines).
std::vector<DocBlock> parse_doc_comments(const std::vector<Token>& tokens);

// Identifies the declaration starting at tokens[begin]: kind, identifier and SEC() text.
// Returns a block with kind kNone when it is not a variable, map, program or struct.
DocBlock classify_declaration(const std::vector<Token>& tokens, std::size_t begin);

// An annotation value as JSON: parsed when it is valid JSON, else a string;
// an empty value is `true` (a flag such as `@export`).
nlohmann::json annotation_json(std::string_view value);

}  // namespace lmp::compiler
