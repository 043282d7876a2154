// What a compiled BPF object contains, as package metadata: programs, maps, globals and
// the layout of exported event structs. Reads the object only; nothing is loaded.
#pragma once

#include <cstdint>
#include <memory>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "package/package.h"

struct bpf_object;
struct btf;

namespace lmp::compiler {

struct BpfObjectDeleter {
  void operator()(bpf_object* obj) const;
};
using BpfObjectPtr = std::unique_ptr<bpf_object, BpfObjectDeleter>;

// Opens (parses, does not load) an ELF object held in memory. Errors: kBuild.
Result<BpfObjectPtr> open_bpf_object(std::span<const uint8_t> elf, const std::string& name);

struct ObjectSummary {
  package::BpfSkel skel;          // obj_name, maps, progs and data_sections filled in
  bool has_event_output = false;  // a RINGBUF or PERF_EVENT_ARRAY map exists
};

// Describes an opened object: every program (name, ELF section as `attach`, link true),
// every map declared in ".maps" (name = ident), and the global variables of .rodata, .data
// and .bss (and their .rodata.* / .data.* variants) with C type text from BTF. `elf` is the
// object's bytes: each .bss/.data global of a scalar or char-array type that no program
// writes (global_writes.h) gets an empty `cmdarg`, which makes it a program option (none
// does when `elf` cannot be analysed, e.g. a big-endian object).
Result<ObjectSummary> describe_object(bpf_object* obj, const std::string& obj_name,
                                      std::span<const uint8_t> elf);

// Gives an empty cmdarg to each .bss/.data variable of a supported option type that is not
// in `written` and has none yet.
void mark_settings(std::vector<package::DataSection>& sections,
                   const std::set<std::string>& written);

// Global (non-static, non-extern) variables of the data sections in `btf`.
std::vector<package::DataSection> read_data_sections(const btf* btf);

// The export type for struct `name` in `btf`: size, type id and members with type text.
// Errors (kBuild) when no such struct exists.
Result<package::ExportType> make_export_type(const btf* btf, std::string_view name);

}  // namespace lmp::compiler
