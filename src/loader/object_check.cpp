#include "loader/object_check.h"

#include <elf.h>

#include <bit>

#include <cstring>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "loader/btf_check.h"

namespace lmp::loader {
namespace {

constexpr uint32_t kInsnBytesObjectCheck = 8;

std::unexpected<Error> malformed_object_check(const std::string& what) {
  return fail(ExitCode::kBadPackage, "malformed eBPF object: " + what,
              "the package is damaged or was not made by a compiler; rebuild it with lmp build");
}

template <typename T>
T read_at_object_check(std::span<const uint8_t> bytes, std::size_t offset) {
  T value;
  std::memcpy(&value, bytes.data() + offset, sizeof value);
  return value;
}

struct Section {
  Elf64_Shdr header;
  std::string_view name;
  std::span<const uint8_t> data;  // empty for SHT_NOBITS
};

class ElfChecker {
 public:
  explicit ElfChecker(std::span<const uint8_t> elf) : elf_(elf) {}

  Result<void> check() {
    LMP_CHECK(check_header());
    LMP_CHECK(read_sections());
    for (std::size_t i = 0; i < sections_.size(); ++i) LMP_CHECK(check_section(i));
    LMP_CHECK(check_symbols());
    for (std::size_t i = 0; i < sections_.size(); ++i)
      if (sections_[i].header.sh_type == SHT_REL) LMP_CHECK(check_relocations(i));
    return check_btf_sections();
  }

 private:
  Result<void> check_header() {
    if (elf_.size() < sizeof(Elf64_Ehdr))
      return malformed_object_check("shorter than an ELF header");
    header_ = read_at_object_check<Elf64_Ehdr>(elf_, 0);
    if (std::memcmp(header_.e_ident, ELFMAG, SELFMAG) != 0)
      return malformed_object_check("not an ELF file");
    if (header_.e_ident[EI_CLASS] != ELFCLASS64)
      return malformed_object_check("not a 64-bit ELF file");
    if (header_.e_ident[EI_DATA] !=
        (std::endian::native == std::endian::little ? ELFDATA2LSB : ELFDATA2MSB))
      return malformed_object_check(
          "built for the other byte order (bpfeb/bpfel) than this machine");
    if (header_.e_machine != EM_BPF) return malformed_object_check("not a BPF object (e_machine)");
    if (header_.e_shentsize != sizeof(Elf64_Shdr))
      return malformed_object_check("bad section header size");
    if (header_.e_shnum == 0 || header_.e_shstrndx >= header_.e_shnum)
      return malformed_object_check("no section headers, or extended section numbering");
    uint64_t end = header_.e_shoff + uint64_t{header_.e_shnum} * sizeof(Elf64_Shdr);
    if (header_.e_shoff > elf_.size() || end > elf_.size())
      return malformed_object_check("section headers run past the end of the file");
    return {};
  }

  Result<void> read_sections() {
    sections_.resize(header_.e_shnum);
    for (std::size_t i = 0; i < sections_.size(); ++i) {
      Section& s = sections_[i];
      s.header = read_at_object_check<Elf64_Shdr>(elf_, header_.e_shoff + i * sizeof(Elf64_Shdr));
      if (s.header.sh_type == SHT_NOBITS || s.header.sh_type == SHT_NULL) continue;
      if (s.header.sh_offset > elf_.size() || s.header.sh_size > elf_.size() - s.header.sh_offset)
        return malformed_object_check("section " + std::to_string(i) +
                                      " runs past the end of the file");
      s.data = elf_.subspan(s.header.sh_offset, s.header.sh_size);
    }
    const Section& names = sections_[header_.e_shstrndx];
    if (names.header.sh_type != SHT_STRTAB || names.data.empty() || names.data.back() != 0)
      return malformed_object_check("the section name table is not a NUL-terminated string table");
    for (std::size_t i = 0; i < sections_.size(); ++i) {
      auto name = string_in(names.data, sections_[i].header.sh_name);
      if (!name)
        return malformed_object_check("section " + std::to_string(i) + " has a bad name offset");
      sections_[i].name = *name;
    }
    return {};
  }

  static std::optional<std::string_view> string_in(std::span<const uint8_t> table,
                                                   uint64_t offset) {
    if (offset >= table.size() || table.empty() || table.back() != 0) return std::nullopt;
    return std::string_view(reinterpret_cast<const char*>(table.data()) + offset);
  }

  Result<void> check_section(std::size_t index) {
    const Section& s = sections_[index];
    const auto& h = s.header;
    std::string what = "section " + std::string(s.name);
    if (index != 0 && h.sh_link >= sections_.size())
      return malformed_object_check(what + " links nowhere");
    if (h.sh_type == SHT_NOBITS) {
      // libbpf reads the data of every section it knows but .bss: no data there crashes it.
      if (s.name != ".bss" && !s.name.starts_with(".bss."))
        return malformed_object_check(what + " has no data (SHT_NOBITS)");
      return {};
    }
    if ((h.sh_flags & SHF_EXECINSTR) && h.sh_size % kInsnBytesObjectCheck != 0)
      return malformed_object_check(what + ": code that is not whole instructions");
    if (h.sh_type == SHT_SYMTAB) {
      if (symtab_ != 0) return malformed_object_check("more than one symbol table");
      if (h.sh_entsize != sizeof(Elf64_Sym) || h.sh_size % sizeof(Elf64_Sym) != 0)
        return malformed_object_check("bad symbol table entry size");
      const Section& strings = sections_[h.sh_link];
      if (strings.header.sh_type != SHT_STRTAB || strings.data.empty() || strings.data.back() != 0)
        return malformed_object_check(
            "the symbol table's strings are not a NUL-terminated string table");
      symtab_ = index;
    }
    if (h.sh_type == SHT_REL) {
      if (h.sh_entsize != sizeof(Elf64_Rel) || h.sh_size % sizeof(Elf64_Rel) != 0)
        return malformed_object_check(what + ": bad relocation entry size");
      if (h.sh_info >= sections_.size() || h.sh_info == 0)
        return malformed_object_check(what + " relocates no section");
    }
    if (s.name == "version" && h.sh_size != sizeof(uint32_t))
      return malformed_object_check("the version section is not 4 bytes");
    return {};
  }

  Result<void> check_symbols() {
    if (symtab_ == 0) return malformed_object_check("no symbol table");
    const Section& table = sections_[symtab_];
    std::span<const uint8_t> strings = sections_[table.header.sh_link].data;
    symbol_count_ = table.data.size() / sizeof(Elf64_Sym);
    for (std::size_t i = 0; i < symbol_count_; ++i) {
      auto sym = read_at_object_check<Elf64_Sym>(table.data, i * sizeof(Elf64_Sym));
      std::string what = "symbol " + std::to_string(i);
      if (!string_in(strings, sym.st_name))
        return malformed_object_check(what + " has a bad name offset");
      uint16_t shndx = sym.st_shndx;
      if (shndx == SHN_UNDEF || shndx == SHN_ABS || shndx == SHN_COMMON) continue;
      if (shndx >= sections_.size())
        return malformed_object_check(what + " is in a section that is not there");
      const Section& home = sections_[shndx];
      if (home.header.sh_type == SHT_NOBITS) continue;
      if (sym.st_value > home.header.sh_size || sym.st_size > home.header.sh_size - sym.st_value)
        return malformed_object_check(what + " lies outside its section " + std::string(home.name));
      if ((home.header.sh_flags & SHF_EXECINSTR) && ELF64_ST_TYPE(sym.st_info) == STT_FUNC &&
          (sym.st_value % kInsnBytesObjectCheck != 0 || sym.st_size % kInsnBytesObjectCheck != 0))
        return malformed_object_check(what + " is not whole instructions");
    }
    return {};
  }

  Result<void> check_relocations(std::size_t index) {
    const Section& s = sections_[index];
    if (s.header.sh_link != symtab_)
      return malformed_object_check("section " + std::string(s.name) +
                                    " uses another symbol table");
    const Section& target = sections_[s.header.sh_info];
    bool code = (target.header.sh_flags & SHF_EXECINSTR) != 0;
    for (std::size_t at = 0; at < s.data.size(); at += sizeof(Elf64_Rel)) {
      auto rel = read_at_object_check<Elf64_Rel>(s.data, at);
      std::string what = "relocation " + std::to_string(at / sizeof(Elf64_Rel)) + " of " +
                         std::string(target.name);
      if (ELF64_R_SYM(rel.r_info) >= symbol_count_)
        return malformed_object_check(what + " names a symbol that is not there");
      if (rel.r_offset >= target.header.sh_size)
        return malformed_object_check(what + " lies outside its section");
      if (code && (rel.r_offset % kInsnBytesObjectCheck != 0 ||
                   rel.r_offset + kInsnBytesObjectCheck > target.data.size()))
        return malformed_object_check(what + " is not on an instruction");
    }
    return {};
  }

  Result<void> check_btf_sections() {
    const Section* btf = nullptr;
    const Section* ext = nullptr;
    for (const Section& s : sections_) {
      if (s.name == ".BTF") btf = &s;
      if (s.name == ".BTF.ext") ext = &s;
    }
    if (!btf) {
      if (ext) return malformed_object_check(".BTF.ext without .BTF");
      return {};
    }
    BtfLayout layout = LMP_TRY(check_btf(btf->data));
    if (!ext) return {};
    auto section_size = [this](std::string_view name) -> std::optional<uint64_t> {
      for (const Section& s : sections_)
        if (s.name == name && s.header.sh_type != SHT_NOBITS) return s.header.sh_size;
      return std::nullopt;
    };
    return check_btf_ext(ext->data, layout, section_size);
  }

  std::span<const uint8_t> elf_;
  Elf64_Ehdr header_{};
  std::vector<Section> sections_;
  std::size_t symtab_ = 0;
  std::size_t symbol_count_ = 0;
};

}  // namespace

Result<void> check_object(std::span<const uint8_t> elf) {
  return ElfChecker(elf).check();
}

}  // namespace lmp::loader
