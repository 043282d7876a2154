#include "compiler/global_writes.h"

#include <elf.h>

#include <cstring>
#include <optional>
#include <string_view>
#include <vector>

#include "compiler/str_cat.h"

namespace lmp::compiler {
namespace {

constexpr uint8_t kLdImm64 = BPF_LD | BPF_DW | BPF_IMM;
constexpr std::size_t kMaxSteps = 8192;  // per reference; beyond it we assume a write

bool is_call_argument(unsigned reg) {
  return reg >= 1 && reg <= 5;
}

// Reads a T at `offset` of `bytes`, or nothing when it does not fit.
template <typename T>
std::optional<T> read_at(std::span<const uint8_t> bytes, uint64_t offset) {
  if (offset > bytes.size() || bytes.size() - offset < sizeof(T)) return std::nullopt;
  T value;
  std::memcpy(&value, bytes.data() + offset, sizeof(T));
  return value;
}

bool is_writable_data(std::string_view name) {
  for (std::string_view base : {".data", ".bss"}) {
    if (name == base ||
        (name.starts_with(base) && name.size() > base.size() && name[base.size()] == '.')) {
      return true;
    }
  }
  return false;
}

struct Section {
  Elf64_Shdr header;
  std::string_view name;
  std::span<const uint8_t> data;  // empty for SHT_NOBITS
};

}  // namespace

bool may_write_through(std::span<const bpf_insn> insns, std::size_t at) {
  if (at + 1 >= insns.size() || insns[at].code != kLdImm64) return true;
  const unsigned reg = insns[at].dst_reg;
  std::vector<std::size_t> work = {at + 2};
  std::vector<bool> seen(insns.size(), false);
  std::size_t steps = 0;
  while (!work.empty()) {
    std::size_t pc = work.back();
    work.pop_back();
    while (true) {
      if (pc >= insns.size() || ++steps > kMaxSteps) return true;
      if (seen[pc]) break;
      seen[pc] = true;
      const bpf_insn& insn = insns[pc];
      const uint8_t cls = BPF_CLASS(insn.code);
      const uint8_t op = BPF_OP(insn.code);
      if (cls == BPF_LDX) {
        if (insn.dst_reg == reg) break;  // read through it (or not), then overwritten
      } else if (cls == BPF_ST || cls == BPF_STX) {
        if (insn.dst_reg == reg) return true;                    // store or atomic through it
        if (cls == BPF_STX && insn.src_reg == reg) return true;  // the address is stored
      } else if (cls == BPF_LD) {
        if (insn.code == kLdImm64) {
          if (insn.dst_reg == reg) break;
          ++pc;  // the second half of the 16-byte instruction
        }
      } else if (cls == BPF_ALU || cls == BPF_ALU64) {
        if (BPF_SRC(insn.code) == BPF_X && insn.src_reg == reg && op != BPF_END) return true;
        // Pointer arithmetic keeps following it; a move or a 32-bit op replaces it.
        if (insn.dst_reg == reg && (op == BPF_MOV || cls == BPF_ALU)) break;
      } else {  // BPF_JMP, BPF_JMP32
        if (op == BPF_EXIT) break;
        if (op == BPF_CALL) {
          if (is_call_argument(reg)) return true;
          if (reg == 0) break;  // the return value replaces it
        } else if (op == BPF_JA) {
          if (cls == BPF_JMP32) return true;  // gotol: not followed
          pc = pc + 1 + static_cast<int64_t>(insn.off);
          continue;
        } else {  // a conditional jump (comparing the address writes nothing): both ways
          work.push_back(pc + 1 + static_cast<int64_t>(insn.off));
        }
      }
      ++pc;
    }
  }
  return false;
}

Result<std::set<std::string>> written_globals(std::span<const uint8_t> elf) {
  auto bad = [] {
    return fail(ExitCode::kBuild, "the compiled object is not a valid BPF ELF file");
  };
  auto ehdr = read_at<Elf64_Ehdr>(elf, 0);
  if (!ehdr || std::memcmp(ehdr->e_ident, ELFMAG, SELFMAG) != 0 ||
      ehdr->e_ident[EI_CLASS] != ELFCLASS64 || ehdr->e_ident[EI_DATA] != ELFDATA2LSB ||
      ehdr->e_machine != EM_BPF || ehdr->e_shentsize != sizeof(Elf64_Shdr)) {
    return bad();
  }
  std::vector<Section> sections;
  for (uint16_t i = 0; i < ehdr->e_shnum; ++i) {
    auto sh = read_at<Elf64_Shdr>(elf, ehdr->e_shoff + uint64_t{i} * sizeof(Elf64_Shdr));
    if (!sh) return bad();
    std::span<const uint8_t> data;
    if (sh->sh_type != SHT_NOBITS && sh->sh_size > 0) {
      if (sh->sh_offset > elf.size() || elf.size() - sh->sh_offset < sh->sh_size) return bad();
      data = elf.subspan(sh->sh_offset, sh->sh_size);
    }
    sections.push_back({*sh, {}, data});
  }
  if (ehdr->e_shstrndx >= sections.size()) return bad();
  auto string_at = [](std::span<const uint8_t> table, uint64_t offset) -> std::string_view {
    if (offset >= table.size()) return {};
    const char* begin = reinterpret_cast<const char*>(table.data()) + offset;
    return std::string_view(begin, strnlen(begin, table.size() - offset));
  };
  for (auto& s : sections) s.name = string_at(sections[ehdr->e_shstrndx].data, s.header.sh_name);

  std::set<std::string> written;
  for (const auto& rel : sections) {
    if (rel.header.sh_type != SHT_REL || rel.header.sh_info >= sections.size() ||
        rel.header.sh_link >= sections.size()) {
      continue;
    }
    const Section& code = sections[rel.header.sh_info];
    if (!(code.header.sh_flags & SHF_EXECINSTR)) continue;
    const Section& symtab = sections[rel.header.sh_link];
    if (symtab.header.sh_link >= sections.size()) return bad();
    std::span<const uint8_t> strtab = sections[symtab.header.sh_link].data;
    std::vector<bpf_insn> insns(code.data.size() / sizeof(bpf_insn));
    if (!insns.empty())
      std::memcpy(insns.data(), code.data.data(), insns.size() * sizeof(bpf_insn));
    for (uint64_t off = 0; off + sizeof(Elf64_Rel) <= rel.data.size(); off += sizeof(Elf64_Rel)) {
      auto r = read_at<Elf64_Rel>(rel.data, off);
      auto sym = read_at<Elf64_Sym>(symtab.data, ELF64_R_SYM(r->r_info) * sizeof(Elf64_Sym));
      if (!sym) return bad();
      if (ELF64_ST_TYPE(sym->st_info) != STT_OBJECT || sym->st_shndx >= sections.size() ||
          !is_writable_data(sections[sym->st_shndx].name)) {
        continue;
      }
      if (may_write_through(insns, r->r_offset / sizeof(bpf_insn))) {
        written.insert(std::string(string_at(strtab, sym->st_name)));
      }
    }
  }
  return written;
}

}  // namespace lmp::compiler
