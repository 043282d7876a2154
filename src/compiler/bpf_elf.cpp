#include "compiler/bpf_elf.h"

#include <cstring>

namespace lmp::compiler {

Result<BpfElf> BpfElf::parse(std::span<const uint8_t> bytes) {
  BpfElf elf;
  elf.bytes_ = bytes;
  if (bytes.size() < sizeof(Elf64_Ehdr) || std::memcmp(bytes.data(), ELFMAG, SELFMAG) != 0 ||
      bytes[EI_CLASS] != ELFCLASS64 || bytes[EI_DATA] != ELFDATA2LSB)
    return fail(ExitCode::kBadPackage, "the BPF object is not a 64-bit little-endian ELF file");
  Elf64_Ehdr header;
  std::memcpy(&header, bytes.data(), sizeof(header));
  if (header.e_shentsize != sizeof(Elf64_Shdr) || header.e_shoff > bytes.size() ||
      (bytes.size() - header.e_shoff) / sizeof(Elf64_Shdr) < header.e_shnum ||
      header.e_shstrndx >= header.e_shnum)
    return fail(ExitCode::kBadPackage, "the BPF object's section table is malformed");
  if (header.e_machine != EM_BPF)
    return fail(ExitCode::kBadPackage, "the ELF file is not a BPF object");
  elf.sections_.resize(header.e_shnum);
  std::memcpy(elf.sections_.data(), bytes.data() + header.e_shoff,
              header.e_shnum * sizeof(Elf64_Shdr));
  for (const auto& s : elf.sections_)
    if (s.sh_type != SHT_NOBITS &&
        (s.sh_offset > bytes.size() || s.sh_size > bytes.size() - s.sh_offset))
      return fail(ExitCode::kBadPackage, "an ELF section lies outside the BPF object");
  elf.names_ = header.e_shstrndx;
  return elf;
}

std::span<const uint8_t> BpfElf::section_bytes(std::size_t i) const {
  const Elf64_Shdr& s = sections_[i];
  if (s.sh_type == SHT_NOBITS) return {};
  return bytes_.subspan(s.sh_offset, s.sh_size);
}

std::string_view BpfElf::string_at(std::size_t table, uint64_t offset) const {
  if (table >= sections_.size()) return {};
  auto strings = section_bytes(table);
  if (offset >= strings.size()) return {};
  const char* begin = reinterpret_cast<const char*>(strings.data()) + offset;
  return std::string_view(begin, strnlen(begin, strings.size() - offset));
}

std::string_view BpfElf::section_name(std::size_t i) const {
  return string_at(names_, sections_[i].sh_name);
}

std::optional<std::size_t> BpfElf::find_section(std::string_view name) const {
  for (std::size_t i = 0; i < sections_.size(); ++i)
    if (section_name(i) == name) return i;
  return std::nullopt;
}

bool BpfElf::is_code(std::size_t i) const {
  return sections_[i].sh_type == SHT_PROGBITS && (sections_[i].sh_flags & SHF_EXECINSTR) != 0;
}

Result<std::vector<BpfRelocation>> BpfElf::relocations(std::size_t target) const {
  std::vector<BpfRelocation> result;
  for (std::size_t r = 0; r < sections_.size(); ++r) {
    const Elf64_Shdr& rel = sections_[r];
    if (rel.sh_type != SHT_REL || rel.sh_info != target) continue;
    if (rel.sh_link >= sections_.size())
      return fail(ExitCode::kBadPackage, "an ELF relocation section names no symbol table");
    std::size_t symtab = rel.sh_link;
    auto symbols = section_bytes(symtab);
    auto entries = section_bytes(r);
    for (std::size_t at = 0; at + sizeof(Elf64_Rel) <= entries.size(); at += sizeof(Elf64_Rel)) {
      Elf64_Rel entry;
      std::memcpy(&entry, entries.data() + at, sizeof(entry));
      uint64_t symbol_at = uint64_t{ELF64_R_SYM(entry.r_info)} * sizeof(Elf64_Sym);
      if (symbol_at > symbols.size() || symbols.size() - symbol_at < sizeof(Elf64_Sym))
        return fail(ExitCode::kBadPackage, "an ELF relocation names a symbol out of bounds");
      BpfRelocation reloc;
      reloc.insn = entry.r_offset / sizeof(uint64_t);
      std::memcpy(&reloc.symbol, symbols.data() + symbol_at, sizeof(reloc.symbol));
      reloc.symbol_name = string_at(sections_[symtab].sh_link, reloc.symbol.st_name);
      result.push_back(reloc);
    }
  }
  return result;
}

}  // namespace lmp::compiler
