// What a compiled BPF object contains, as package metadata: programs, maps, globals and
// the layout of exported event structs. Reads the object only; nothing is loaded.
#pragma once

#include <cstdint>
#include <memory>
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
// and .bss (and their .rodata.* / .data.* variants) with C type text from BTF.
Result<ObjectSummary> describe_object(bpf_object* obj, const std::string& obj_name);

// Global (non-static, non-extern) variables of the data sections in `btf`.
std::vector<package::DataSection> read_data_sections(const btf* btf);

// The export type for struct `name` in `btf`: size, type id and members with type text.
// Errors (kBuild) when no such struct exists.
Result<package::ExportType> make_export_type(const btf* btf, std::string_view name);

}  // namespace lmp::compiler
