// Which structs a package exports as events, decided from the sources (see docs/build.md):
// the structs of an explicit header, else structs marked `/// @export`, else the one struct
// the code sends through a ring buffer or perf event array.
#pragma once

#include <set>
#include <string>
#include <vector>

#include "compiler/c_tokens.h"
#include "compiler/doc_comments.h"

namespace lmp::compiler {

// Names of structs defined (`struct NAME {...}`) at the top level of `tokens`, in order.
std::vector<std::string> structs_defined_in(const std::vector<Token>& tokens);

// Names of structs whose definition carries a `/// @export` doc comment.
std::vector<std::string> exported_structs(const std::vector<DocBlock>& blocks);

// Names of structs the code passes to bpf_ringbuf_reserve, bpf_ringbuf_output or
// bpf_perf_event_output, found from `struct X *e = bpf_ringbuf_reserve(...)`,
// `sizeof(struct X)` and the declared type of the variable passed as data.
std::set<std::string> event_struct_candidates(const std::vector<Token>& tokens);

}  // namespace lmp::compiler
