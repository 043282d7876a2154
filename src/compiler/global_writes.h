// Which global variables of .bss/.data the eBPF programs may write. A plain global that no
// program writes is a setting user space fills before load (a pid filter, a threshold), so
// lmp build offers it as a program option; a global a program writes (a counter) is not.
// The analysis is conservative: anything it cannot follow counts as a write.
#pragma once

#include <linux/bpf.h>

#include <cstddef>
#include <cstdint>
#include <set>
#include <span>
#include <string>

#include "common/result.h"

namespace lmp::compiler {

// Follows the register that `insns[at]` (a 64-bit immediate load of a global's address)
// defines, along every path, until it is overwritten or the program exits. True when the
// address may be written through or may escape: a store or atomic op through it, a copy of
// it into another register or memory, a call taking it as an argument, a malformed or
// too-long path.
bool may_write_through(std::span<const bpf_insn> insns, std::size_t at);

// The names of the global variables in .bss*/.data* sections of a relocatable BPF ELF object
// that some program may write (see may_write_through). Globals no program references are not
// in the set. Errors (kBuild) when `elf` is not a little-endian 64-bit BPF object.
Result<std::set<std::string>> written_globals(std::span<const uint8_t> elf);

}  // namespace lmp::compiler
