#include "loader/elf_targets.h"

#include <elf.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include <bit>
#include <cerrno>
#include <cstring>
#include <functional>
#include <span>
#include <string_view>
#include <vector>

#include "common/unique_fd.h"

namespace lmp::loader {
namespace {

// A read-only mapping of a whole file.
class MappedFile {
 public:
  MappedFile() = default;
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;
  ~MappedFile() {
    if (data_) ::munmap(data_, size_);
  }

  Result<void> open(const std::string& path) {
    UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd)
      return fail(errno == ENOENT ? ExitCode::kNotFound : ExitCode::kFailure,
                  "cannot open " + path + ": " + std::strerror(errno));
    struct stat st {};
    if (::fstat(fd.get(), &st) != 0 || !S_ISREG(st.st_mode))
      return fail(ExitCode::kBadPackage, path + " is not a regular file");
    size_ = static_cast<std::size_t>(st.st_size);
    if (size_ == 0) return {};
    void* mapped = ::mmap(nullptr, size_, PROT_READ, MAP_PRIVATE, fd.get(), 0);
    if (mapped == MAP_FAILED)
      return fail(ExitCode::kFailure, "cannot map " + path + ": " + std::strerror(errno));
    data_ = mapped;
    return {};
  }

  std::span<const uint8_t> bytes() const {
    return {static_cast<const uint8_t*>(data_), data_ ? size_ : 0};
  }

 private:
  void* data_ = nullptr;
  std::size_t size_ = 0;
};

template <typename T>
T read_at(std::span<const uint8_t> bytes, std::size_t offset) {
  T value;
  std::memcpy(&value, bytes.data() + offset, sizeof value);
  return value;
}

bool in_bounds(std::span<const uint8_t> bytes, uint64_t offset, uint64_t size) {
  return offset <= bytes.size() && size <= bytes.size() - offset;
}

// The section headers of a 64-bit ELF file of this machine's byte order.
class ElfSections {
 public:
  Result<void> read(const std::string& path) {
    LMP_CHECK(file_.open(path));
    auto bytes = file_.bytes();
    auto bad = [&](const std::string& why) {
      return fail(ExitCode::kBadPackage, path + " " + why,
                  "give the path of an executable or shared library");
    };
    if (bytes.size() < sizeof(Elf64_Ehdr) || std::memcmp(bytes.data(), ELFMAG, SELFMAG) != 0)
      return bad("is not an ELF file");
    auto header = read_at<Elf64_Ehdr>(bytes, 0);
    if (header.e_ident[EI_CLASS] != ELFCLASS64) return bad("is not a 64-bit ELF file");
    if (header.e_ident[EI_DATA] !=
        (std::endian::native == std::endian::little ? ELFDATA2LSB : ELFDATA2MSB))
      return bad("is built for the other byte order");
    if (header.e_shentsize != sizeof(Elf64_Shdr) && header.e_shnum != 0)
      return bad("has malformed section headers");
    if (!in_bounds(bytes, header.e_shoff, uint64_t{header.e_shnum} * sizeof(Elf64_Shdr)))
      return bad("is truncated (its section headers are past its end)");
    for (unsigned i = 0; i < header.e_shnum; ++i)
      sections_.push_back(read_at<Elf64_Shdr>(bytes, header.e_shoff + i * sizeof(Elf64_Shdr)));
    if (header.e_shstrndx < sections_.size()) names_ = data_of(sections_[header.e_shstrndx]);
    return {};
  }

  const std::vector<Elf64_Shdr>& sections() const { return sections_; }

  // The bytes of a section; empty for SHT_NOBITS or one out of bounds.
  std::span<const uint8_t> data_of(const Elf64_Shdr& section) const {
    if (section.sh_type == SHT_NOBITS ||
        !in_bounds(file_.bytes(), section.sh_offset, section.sh_size))
      return {};
    return file_.bytes().subspan(section.sh_offset, section.sh_size);
  }

  // A NUL-terminated string at `offset` of a string table, empty when out of bounds.
  static std::string_view string_at(std::span<const uint8_t> table, uint64_t offset) {
    if (offset >= table.size()) return {};
    auto* start = reinterpret_cast<const char*>(table.data() + offset);
    auto* end = static_cast<const char*>(std::memchr(start, 0, table.size() - offset));
    return end ? std::string_view(start, static_cast<std::size_t>(end - start))
               : std::string_view();
  }

  std::string_view name_of(const Elf64_Shdr& section) const {
    return string_at(names_, section.sh_name);
  }

 private:
  MappedFile file_;
  std::vector<Elf64_Shdr> sections_;
  std::span<const uint8_t> names_;
};

}  // namespace

Result<bool> elf_defines_function(const std::string& path, const std::string& name) {
  ElfSections elf;
  LMP_CHECK(elf.read(path));
  for (const Elf64_Shdr& table : elf.sections()) {
    if (table.sh_type != SHT_SYMTAB && table.sh_type != SHT_DYNSYM) continue;
    if (table.sh_link >= elf.sections().size()) continue;
    auto symbols = elf.data_of(table);
    auto strings = elf.data_of(elf.sections()[table.sh_link]);
    for (std::size_t at = 0; at + sizeof(Elf64_Sym) <= symbols.size(); at += sizeof(Elf64_Sym)) {
      auto symbol = read_at<Elf64_Sym>(symbols, at);
      int type = ELF64_ST_TYPE(symbol.st_info);
      if ((type != STT_FUNC && type != STT_GNU_IFUNC) || symbol.st_shndx == SHN_UNDEF) continue;
      std::string_view found = ElfSections::string_at(strings, symbol.st_name);
      if (found.size() > name.size() && found[name.size()] == '@')
        found = found.substr(0, name.size());
      if (found == name) return true;
    }
  }
  return false;
}

Result<bool> elf_has_usdt(const std::string& path, const std::string& provider,
                          const std::string& name) {
  ElfSections elf;
  LMP_CHECK(elf.read(path));
  constexpr uint32_t kStapsdtNote = 3;  // NT_STAPSDT
  for (const Elf64_Shdr& section : elf.sections()) {
    if (section.sh_type != SHT_NOTE || elf.name_of(section) != ".note.stapsdt") continue;
    auto notes = elf.data_of(section);
    std::size_t at = 0;
    while (at + sizeof(Elf64_Nhdr) <= notes.size()) {
      auto note = read_at<Elf64_Nhdr>(notes, at);
      std::size_t owner_at = at + sizeof(Elf64_Nhdr);
      std::size_t desc_at = owner_at + ((note.n_namesz + 3) & ~std::size_t{3});
      std::size_t next = desc_at + ((note.n_descsz + 3) & ~std::size_t{3});
      if (!in_bounds(notes, desc_at, note.n_descsz) || next <= at) break;
      auto owner = ElfSections::string_at(notes.subspan(owner_at, note.n_namesz), 0);
      // The description: three addresses (probe, base, semaphore), then provider, name and
      // argument strings.
      if (note.n_type == kStapsdtNote && owner == "stapsdt" && note.n_descsz > 24) {
        auto desc = notes.subspan(desc_at, note.n_descsz);
        std::string_view found_provider = ElfSections::string_at(desc, 24);
        std::string_view found_name = ElfSections::string_at(desc, 24 + found_provider.size() + 1);
        if (found_provider == provider && found_name == name) return true;
      }
      at = next;
    }
  }
  return false;
}

}  // namespace lmp::loader
