// Whether an object's CO-RE relocations resolve against a kernel's BTF, without loading
// anything and without privileges (docs/check.md, "CO-RE relocations").
//
// Debian 12's libbpf (1.1) resolves CO-RE relocations only inside bpf_object__load, after it
// has probed the kernel and created the maps (root only); bpf_object__prepare, which stops
// before loading, came with libbpf 1.6; its resolver (bpf_core_calc_relo_insn) is not
// exported; and its gen_loader mode records relocations for the kernel to resolve instead of
// resolving them. So lmp reads the relocation records of .BTF.ext itself and matches them
// against the kernel's BTF with libbpf's public BTF API, following libbpf's rules: a
// candidate type has the same name without its "___flavor" suffix and a compatible kind,
// fields are matched by name (through anonymous members), array indexes must fit. With root
// the trial load then runs libbpf's own relocation step on top (check.h).
#pragma once

#include <cstdint>
#include <set>
#include <span>
#include <string>
#include <vector>

#include "common/result.h"

struct btf;

namespace lmp::loader {

struct CoreFailure {
  std::string section;   // the ELF section of the instruction ("tracepoint/...", ".text")
  std::string kind;      // "field byte offset", "type size", "enum value", ...
  std::string what;      // "struct task_struct___x.made_up", "enum foo::BAR"
  bool guarded = false;  // an existence check (bpf_core_*_exists) on the same type exists
};

struct CoreResult {
  std::size_t relocations = 0;  // records looked at
  std::vector<CoreFailure> failures;
};

// Checks every CO-RE relocation record of `elf`'s .BTF.ext whose section is in `sections`
// (all when empty) against `target`. `local` is the object's own BTF (bpf_object__btf).
// Existence relocations never fail (they yield 0). Errors: kBadPackage for a .BTF.ext whose
// records do not fit their section.
Result<CoreResult> check_core_relocations(std::span<const uint8_t> elf, const btf* local,
                                          const btf* target, const std::set<std::string>& sections);

// The name without a "___flavor" suffix: "task_struct___x" -> "task_struct".
std::string essential_name(std::string_view name);

}  // namespace lmp::loader
