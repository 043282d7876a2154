// The sections, symbols and relocations of a relocatable eBPF ELF object, read from its bytes
// as they are (before libbpf rewrites anything) for lmp's own instruction analyses
// (record_evidence.h, global_writes.h). The bytes are untrusted: every offset is checked.
#pragma once

#include <elf.h>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace lmp::compiler {

// One relocation of a code section: the instruction it patches and the symbol it names.
struct BpfRelocation {
  std::size_t insn = 0;  // instruction index (8-byte slots) in the target section
  Elf64_Sym symbol{};
  std::string_view symbol_name;
};

class BpfElf {
 public:
  // Errors (kBadPackage) when `bytes` is not a 64-bit little-endian BPF ELF file, its section
  // table is malformed, or a section lies outside it. `bytes` must outlive the BpfElf.
  static Result<BpfElf> parse(std::span<const uint8_t> bytes);

  std::size_t section_count() const { return sections_.size(); }
  const Elf64_Shdr& section(std::size_t i) const { return sections_[i]; }
  std::string_view section_name(std::size_t i) const;
  // The section's contents; empty for SHT_NOBITS (.bss).
  std::span<const uint8_t> section_bytes(std::size_t i) const;
  std::optional<std::size_t> find_section(std::string_view name) const;
  // Whether section i holds instructions (SHF_EXECINSTR).
  bool is_code(std::size_t i) const;

  // The relocations that apply to section `target`, from every SHT_REL section naming it.
  // Errors (kBadPackage) for a relocation whose symbol or symbol table is out of bounds.
  Result<std::vector<BpfRelocation>> relocations(std::size_t target) const;

 private:
  // The NUL-terminated string at `offset` of string table `table` (empty when out of bounds).
  std::string_view string_at(std::size_t table, uint64_t offset) const;

  std::span<const uint8_t> bytes_;
  std::vector<Elf64_Shdr> sections_;
  std::size_t names_ = 0;  // e_shstrndx
};

}  // namespace lmp::compiler
