// The tool's own header (NAME.h, shared by the eBPF side and user space) as NAME.wasm.h
// needs to know it: its include guard and the structs, unions and enums it defines, so
// NAME.wasm.h can leave those to NAME.h when an app includes both. See docs/wasm-dev.md.
#pragma once

#include <set>
#include <string>
#include <string_view>

namespace lmp::compiler {

struct ToolHeader {
  std::string guard;           // X of a leading `#ifndef X` / `#define X`; empty if none
  bool pragma_once = false;    // guarded by `#pragma once` (which C cannot test)
  std::set<std::string> tags;  // "struct event", "union u", "enum kind": types it defines
};

// Reads a header's text. Tolerant: comments and literals are skipped; nothing is an error.
ToolHeader read_tool_header(std::string_view text);

}  // namespace lmp::compiler
