#include "compiler/export_types.h"

#include <map>

namespace lmp::compiler {
namespace {

using Tokens = std::vector<Token>;
struct Range {
  std::size_t begin, end;  // [begin, end)
};

// Variable name -> struct names it is declared with (`struct X v`, `struct X *v`).
using VarTypes = std::map<std::string, std::set<std::string>>;

VarTypes struct_variables(const Tokens& t) {
  VarTypes vars;
  for (std::size_t i = 0; i + 2 < t.size(); ++i) {
    if (!is_ident(t[i], "struct") || t[i + 1].kind != TokenKind::kIdent) continue;
    std::size_t j = i + 2;
    while (j < t.size() && is_punct(t[j], '*')) ++j;
    if (j + 1 >= t.size() || t[j].kind != TokenKind::kIdent) continue;
    const Token& next = t[j + 1];
    if (is_punct(next, '=') || is_punct(next, ';') || is_punct(next, ',') || is_punct(next, ')') ||
        is_punct(next, '[')) {
      vars[t[j].text].insert(t[i + 1].text);
    }
  }
  return vars;
}

// Splits the arguments of the call whose '(' is at `open`.
std::vector<Range> call_arguments(const Tokens& t, std::size_t open) {
  std::vector<Range> args;
  std::size_t close = find_closing(t, open);
  std::size_t start = open + 1;
  for (std::size_t i = start; i < close; ++i) {
    if (is_punct(t[i], '(') || is_punct(t[i], '[') || is_punct(t[i], '{')) {
      i = find_closing(t, i);
    } else if (is_punct(t[i], ',')) {
      args.push_back({start, i});
      start = i + 1;
    }
  }
  if (start < close) args.push_back({start, close});
  return args;
}

// The struct an argument expression denotes: `sizeof(struct X)`, `sizeof(*e)`, `&e`, `e`,
// `(void *)&e`. Adds every match to `out`.
void resolve(const Tokens& t, Range r, const VarTypes& vars, std::set<std::string>& out) {
  for (std::size_t i = r.begin; i + 1 < r.end; ++i) {
    if (is_ident(t[i], "struct") && t[i + 1].kind == TokenKind::kIdent) {
      out.insert(t[i + 1].text);
      return;
    }
  }
  // Skip casts, '&', '*' and sizeof; the first identifier left must stand alone.
  std::size_t i = r.begin;
  while (i < r.end) {
    if (is_punct(t[i], '(') && i + 1 < r.end && t[i + 1].kind == TokenKind::kIdent &&
        (is_ident(t[i + 1], "void") || is_ident(t[i + 1], "char"))) {
      i = find_closing(t, i) + 1;
    } else if (is_punct(t[i], '&') || is_punct(t[i], '*') || is_punct(t[i], '(') ||
               is_ident(t[i], "sizeof")) {
      ++i;
    } else {
      break;
    }
  }
  if (i >= r.end || t[i].kind != TokenKind::kIdent) return;
  if (i + 1 < r.end &&
      (is_punct(t[i + 1], '.') || t[i + 1].text == "->" || is_punct(t[i + 1], '['))) {
    return;  // a member or element, not the event itself
  }
  if (auto it = vars.find(t[i].text); it != vars.end())
    out.insert(it->second.begin(), it->second.end());
}

}  // namespace

std::vector<std::string> structs_defined_in(const Tokens& t) {
  std::vector<std::string> names;
  int depth = 0;
  for (std::size_t i = 0; i < t.size(); ++i) {
    if (is_punct(t[i], '{')) ++depth;
    if (is_punct(t[i], '}') && depth > 0) --depth;
    if (depth == 0 && i + 2 < t.size() && is_ident(t[i], "struct") &&
        t[i + 1].kind == TokenKind::kIdent && is_punct(t[i + 2], '{')) {
      names.push_back(t[i + 1].text);
    }
  }
  return names;
}

std::vector<std::string> exported_structs(const std::vector<DocBlock>& blocks) {
  std::vector<std::string> names;
  for (const auto& b : blocks) {
    if (b.kind == DeclKind::kStruct && b.find("export")) names.push_back(b.ident);
  }
  return names;
}

std::set<std::string> event_struct_candidates(const Tokens& t) {
  VarTypes vars = struct_variables(t);
  std::set<std::string> found;
  for (std::size_t i = 0; i + 1 < t.size(); ++i) {
    if (t[i].kind != TokenKind::kIdent || !is_punct(t[i + 1], '(')) continue;
    std::vector<Range> args = call_arguments(t, i + 1);
    if (t[i].text == "bpf_ringbuf_reserve") {
      if (args.size() >= 2) resolve(t, args[1], vars, found);
      // `e = bpf_ringbuf_reserve(...)` or `struct X *e = (struct X *)bpf_ringbuf_reserve(...)`
      std::size_t j = i;
      if (j > 0 && is_punct(t[j - 1], ')')) {
        while (j > 0 && !is_punct(t[j - 1], '(')) --j;
        if (j > 0) resolve(t, {j - 1, i}, vars, found), --j;
      }
      if (j >= 2 && is_punct(t[j - 1], '=') && t[j - 2].kind == TokenKind::kIdent) {
        resolve(t, {j - 2, j - 1}, vars, found);
      }
    } else if (t[i].text == "bpf_ringbuf_output") {
      if (args.size() >= 2) resolve(t, args[1], vars, found);
    } else if (t[i].text == "bpf_perf_event_output") {
      if (args.size() >= 4) resolve(t, args[3], vars, found);
    }
  }
  return found;
}

}  // namespace lmp::compiler
