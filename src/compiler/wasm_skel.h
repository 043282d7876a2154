// `lmp gen-wasm-skel`: C sources for a WebAssembly user-space program, from a package.json.
// Writes NAME.skel.h (the object embedded, libbpf-like open/load/attach/destroy), NAME.wasm.h
// (the object's types with the eBPF layout), lmp-wasm.h (the guest library) and, unless one
// exists, app.c (a working program to edit). See docs/wasm-dev.md.
#pragma once

#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "compiler/object_meta.h"
#include "compiler/wasm_layout.h"
#include "compiler/wasm_tool_header.h"
#include "package/package.h"

namespace lmp::compiler {

// What the generators need from a package, read from its object (libbpf opens it; nothing is
// loaded) and its meta.
struct WasmSkelModel {
  struct Map {
    std::string name;
    bool is_ringbuf = false;
    bool is_perf = false;
  };
  struct Prog {
    std::string name;
    std::string section;
    bool link = true;           // meta.bpf_skel.progs[].link
    bool needs_target = false;  // no attach point in the section name (uprobe, xdp, tc, ...)
  };
  // .rodata or .data: where its bytes sit in the object file and its typed record.
  struct Section {
    std::string field;  // "rodata" / "data"
    std::string elf_name;
    uint64_t file_offset = 0;
    uint64_t size = 0;
    int record = -1;
  };

  std::string name;  // C identifier: obj_name with non-identifier characters as '_', no "_bpf"
  package::Package package;
  BpfObjectPtr object;  // keeps the BTF the layout was read from alive
  CLayout layout{nullptr};
  std::vector<Map> maps;
  std::vector<Prog> progs;
  std::vector<Section> sections;
  std::vector<int> events;  // records of meta.export_types, in order
  ToolHeader tool_header;   // the project's NAME.h, when it has one
};

// The skeleton prefix for an obj_name: "my-tool" -> "my_tool", "opensnoop_bpf" -> "opensnoop".
std::string skel_name(std::string_view obj_name);

// Reads the model. Errors (kBuild / kBadPackage) name what the generators cannot express.
Result<WasmSkelModel> read_wasm_skel_model(package::Package package);

std::string skel_header(const WasmSkelModel& model);   // NAME.skel.h
std::string types_header(const WasmSkelModel& model);  // NAME.wasm.h
std::string app_source(const WasmSkelModel& model);    // app.c
std::string_view guest_library_header();               // lmp-wasm.h
std::string_view libbpf_wasm_header();                 // libbpf-wasm.h (wasm-bpf's names)

// Whether a program's ELF section names no attach point, so the skeleton's __attach leaves it
// alone unless the app sets a target: bare uprobe/usdt/kprobe/tracepoint/fentry/...
// sections, xdp, tc, socket filters, sk_*, sockops, cgroup*, ... (docs/wasm-dev.md).
bool needs_attach_target(std::string_view section);

// Where a named section's bytes are in an ELF64 little-endian file.
struct ElfSection {
  uint64_t offset = 0;
  uint64_t size = 0;
  bool nobits = false;
};
Result<ElfSection> find_elf_section(std::span<const uint8_t> elf, std::string_view name);

struct GenWasmSkelResult {
  std::vector<std::filesystem::path> written;
  bool kept_app = false;  // app.c existed and was left alone
};

// Reads DIR/package.json (or package.yaml) and DIR/NAME.h when present, and writes the files
// (lmp-wasm.h, libbpf-wasm.h, NAME.wasm.h, NAME.skel.h, app.c) into DIR, each atomically.
// app.c is written only when missing or when `force`. Nothing is written when any file
// cannot be generated.
Result<GenWasmSkelResult> gen_wasm_skel(const std::filesystem::path& dir, bool force);

}  // namespace lmp::compiler
