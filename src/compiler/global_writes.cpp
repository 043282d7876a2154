#include "compiler/global_writes.h"

#include <cstring>
#include <string_view>
#include <vector>

#include "compiler/bpf_elf.h"

namespace lmp::compiler {
namespace {

constexpr uint8_t kLdImm64 = BPF_LD | BPF_DW | BPF_IMM;
constexpr std::size_t kMaxSteps = 8192;  // per reference; beyond it we assume a write

bool is_call_argument(unsigned reg) {
  return reg >= 1 && reg <= 5;
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

Result<std::set<std::string>> written_globals(std::span<const uint8_t> bytes) {
  auto elf = BpfElf::parse(bytes);
  if (!elf) return fail(ExitCode::kBuild, "the compiled object is not a valid BPF ELF file");
  std::set<std::string> written;
  for (std::size_t i = 0; i < elf->section_count(); ++i) {
    if (!elf->is_code(i)) continue;
    auto relocations = elf->relocations(i);
    if (!relocations)
      return fail(ExitCode::kBuild, "the compiled object is not a valid BPF ELF file");
    auto code = elf->section_bytes(i);
    std::vector<bpf_insn> insns(code.size() / sizeof(bpf_insn));
    if (!insns.empty()) std::memcpy(insns.data(), code.data(), insns.size() * sizeof(bpf_insn));
    for (const auto& reloc : *relocations) {
      const Elf64_Sym& symbol = reloc.symbol;
      if (ELF64_ST_TYPE(symbol.st_info) != STT_OBJECT || symbol.st_shndx >= elf->section_count() ||
          !is_writable_data(elf->section_name(symbol.st_shndx)))
        continue;
      if (may_write_through(insns, reloc.insn)) written.insert(std::string(reloc.symbol_name));
    }
  }
  return written;
}

}  // namespace lmp::compiler
