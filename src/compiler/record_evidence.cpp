#include "compiler/record_evidence.h"

#include <elf.h>
#include <linux/bpf.h>

#include <array>
#include <cstdint>
#include <cstring>
#include <optional>
#include <vector>

namespace lmp::compiler {
namespace {

constexpr int kHelperMapLookup = 1;
constexpr int kHelperPerfEventOutput = 25;
constexpr int kHelperRingbufOutput = 130;
constexpr int kHelperRingbufReserve = 131;

// What a register holds, as far as a forward pass can tell.
struct Reg {
  enum class Kind { kUnknown, kImm, kMap, kMapValue } kind = Kind::kUnknown;
  int64_t imm = 0;
  std::string map;
  bool operator==(const Reg&) const = default;
};
using Regs = std::array<Reg, 11>;

Regs merge(const Regs& a, const Regs& b) {
  Regs out;
  for (std::size_t i = 0; i < out.size(); ++i) out[i] = a[i] == b[i] ? a[i] : Reg{};
  return out;
}

struct Insn {
  uint8_t code, dst, src;
  int16_t off;
  int32_t imm;
};

Insn insn_at(const uint8_t* p) {
  Insn i{p[0], static_cast<uint8_t>(p[1] & 0xf), static_cast<uint8_t>(p[1] >> 4), 0, 0};
  std::memcpy(&i.off, p + 2, 2);
  std::memcpy(&i.imm, p + 4, 4);
  return i;
}

class Elf {
 public:
  static Result<Elf> parse(std::span<const uint8_t> data) {
    Elf e;
    e.data_ = data;
    if (data.size() < sizeof(Elf64_Ehdr) || std::memcmp(data.data(), ELFMAG, SELFMAG) != 0 ||
        data[EI_CLASS] != ELFCLASS64)
      return fail(ExitCode::kBadPackage, "the BPF object is not a 64-bit ELF file");
    Elf64_Ehdr h;
    std::memcpy(&h, data.data(), sizeof(h));
    if (h.e_shentsize != sizeof(Elf64_Shdr) || h.e_shoff > data.size() ||
        (data.size() - h.e_shoff) / sizeof(Elf64_Shdr) < h.e_shnum || h.e_shstrndx >= h.e_shnum)
      return fail(ExitCode::kBadPackage, "the BPF object's section table is malformed");
    e.sections_.resize(h.e_shnum);
    std::memcpy(e.sections_.data(), data.data() + h.e_shoff, h.e_shnum * sizeof(Elf64_Shdr));
    for (const auto& s : e.sections_)
      if (s.sh_type != SHT_NOBITS &&
          (s.sh_offset > data.size() || s.sh_size > data.size() - s.sh_offset))
        return fail(ExitCode::kBadPackage, "an ELF section lies outside the BPF object");
    e.shstrndx_ = h.e_shstrndx;
    return e;
  }
  const std::vector<Elf64_Shdr>& sections() const { return sections_; }
  std::span<const uint8_t> bytes(const Elf64_Shdr& s) const {
    if (s.sh_type == SHT_NOBITS) return {};
    return data_.subspan(s.sh_offset, s.sh_size);
  }
  std::string string_at(std::size_t section, uint32_t offset) const {
    if (section >= sections_.size()) return {};
    auto b = bytes(sections_[section]);
    if (offset >= b.size()) return {};
    const char* p = reinterpret_cast<const char*>(b.data()) + offset;
    return std::string(p, strnlen(p, b.size() - offset));
  }
  std::string section_name(std::size_t i) const {
    return string_at(shstrndx_, sections_[i].sh_name);
  }

 private:
  std::span<const uint8_t> data_;
  std::vector<Elf64_Shdr> sections_;
  std::size_t shstrndx_ = 0;
};

// Instruction index -> map name, for the ld_imm64 instructions of section `target` that load a
// map's address (relocations against symbols in ".maps").
std::map<std::size_t, std::string> map_loads(const Elf& elf, std::size_t target, std::size_t maps) {
  std::map<std::size_t, std::string> loads;
  const auto& secs = elf.sections();
  for (const auto& rel : secs) {
    if (rel.sh_type != SHT_REL || rel.sh_info != target || rel.sh_link >= secs.size()) continue;
    const Elf64_Shdr& symtab = secs[rel.sh_link];
    auto syms = elf.bytes(symtab);
    auto rels = elf.bytes(rel);
    for (std::size_t at = 0; at + sizeof(Elf64_Rel) <= rels.size(); at += sizeof(Elf64_Rel)) {
      Elf64_Rel r;
      std::memcpy(&r, rels.data() + at, sizeof(r));
      std::size_t sym_at = ELF64_R_SYM(r.r_info) * sizeof(Elf64_Sym);
      if (sym_at + sizeof(Elf64_Sym) > syms.size()) continue;
      Elf64_Sym sym;
      std::memcpy(&sym, syms.data() + sym_at, sizeof(sym));
      if (sym.st_shndx != maps) continue;
      loads[r.r_offset / 8] = elf.string_at(symtab.sh_link, sym.st_name);
    }
  }
  return loads;
}

class Scanner {
 public:
  explicit Scanner(std::map<std::string, BufferEvidence>& out) : out_(out) {}

  void scan(std::span<const uint8_t> code, const std::map<std::size_t, std::string>& loads) {
    std::size_t count = code.size() / 8;
    std::map<std::size_t, Regs> pending;  // state arriving at forward jump targets
    Regs regs;
    bool reachable = true;  // false after exit / ja: the next state comes only from jumps
    for (std::size_t pc = 0; pc < count; ++pc) {
      if (auto it = pending.find(pc); it != pending.end()) {
        regs = reachable ? merge(regs, it->second) : it->second;
        reachable = true;
        pending.erase(it);
      } else if (!reachable) {
        regs = Regs{};
        reachable = true;
      }
      Insn in = insn_at(code.data() + pc * 8);
      uint8_t cls = in.code & 0x07;
      if (in.dst > 10 || in.src > 10) continue;
      if (in.code == (BPF_LD | BPF_IMM | BPF_DW)) {
        auto load = loads.find(pc);
        if (load != loads.end())
          regs[in.dst] = {Reg::Kind::kMap, 0, load->second};
        else if (in.src == 0 && pc + 1 < count)
          regs[in.dst] = {Reg::Kind::kImm,
                          static_cast<int64_t>(static_cast<uint32_t>(in.imm)) |
                              (static_cast<int64_t>(insn_at(code.data() + (pc + 1) * 8).imm) << 32),
                          {}};
        else
          regs[in.dst] = {};
        ++pc;
      } else if (cls == BPF_ALU64 || cls == BPF_ALU) {
        bool is_mov = (in.code & 0xf0) == BPF_MOV && in.off == 0;
        if (is_mov && (in.code & BPF_X) == 0)
          regs[in.dst] = {Reg::Kind::kImm,
                          cls == BPF_ALU ? int64_t{static_cast<uint32_t>(in.imm)} : int64_t{in.imm},
                          {}};
        else if (is_mov && cls == BPF_ALU64)
          regs[in.dst] = regs[in.src];
        else
          regs[in.dst] = {};
      } else if (cls == BPF_LDX) {
        regs[in.dst] = {};
      } else if (cls == BPF_STX && (in.code & 0xe0) == 0xc0) {
        regs[in.src] = {};                 // atomic ops with BPF_FETCH write the source register
        if (in.imm == 0xf1) regs[0] = {};  // cmpxchg writes r0
      } else if (cls == BPF_JMP || cls == BPF_JMP32) {
        uint8_t op = in.code & 0xf0;
        if (op == BPF_CALL) {
          Reg result;
          if (in.src == 0) result = helper(in.imm, regs);
          for (int r = 0; r <= 5; ++r) regs[r] = {};
          regs[0] = result;
        } else if (op == BPF_EXIT) {
          reachable = false;
        } else {
          int64_t target =
              static_cast<int64_t>(pc) + 1 + (cls == BPF_JMP32 && op == BPF_JA ? in.imm : in.off);
          if (target > static_cast<int64_t>(pc)) {
            auto [it, fresh] = pending.try_emplace(static_cast<std::size_t>(target), regs);
            if (!fresh) it->second = merge(it->second, regs);
          }
          if (op == BPF_JA) reachable = false;
        }
      }
    }
  }

 private:
  // Records a helper call's evidence; returns what r0 holds after it.
  Reg helper(int32_t id, const Regs& regs) {
    auto note = [&](const Reg& map, const Reg& data, const Reg& size) {
      if (map.kind != Reg::Kind::kMap) return;
      BufferEvidence& e = out_[map.map];
      if (size.kind == Reg::Kind::kImm && size.imm > 0 && size.imm <= UINT32_MAX)
        e.sizes.insert(static_cast<uint32_t>(size.imm));
      else
        e.variable = true;
      if (data.kind == Reg::Kind::kMapValue) e.value_maps.insert(data.map);
    };
    switch (id) {
      case kHelperMapLookup:
        if (regs[1].kind == Reg::Kind::kMap) return {Reg::Kind::kMapValue, 0, regs[1].map};
        break;
      case kHelperRingbufReserve:
        note(regs[1], {}, regs[2]);
        break;
      case kHelperRingbufOutput:
        note(regs[1], regs[2], regs[3]);
        break;
      case kHelperPerfEventOutput:
        note(regs[2], regs[4], regs[5]);
        break;
      default:
        break;
    }
    return {};
  }

  std::map<std::string, BufferEvidence>& out_;
};

}  // namespace

Result<std::map<std::string, BufferEvidence>> read_record_evidence(std::span<const uint8_t> data) {
  Elf elf = LMP_TRY(Elf::parse(data));
  std::optional<std::size_t> maps;
  for (std::size_t i = 0; i < elf.sections().size(); ++i)
    if (elf.section_name(i) == ".maps") maps = i;
  std::map<std::string, BufferEvidence> evidence;
  if (!maps) return evidence;
  Scanner scanner(evidence);
  for (std::size_t i = 0; i < elf.sections().size(); ++i) {
    const Elf64_Shdr& s = elf.sections()[i];
    if (s.sh_type != SHT_PROGBITS || (s.sh_flags & SHF_EXECINSTR) == 0) continue;
    scanner.scan(elf.bytes(s), map_loads(elf, i, *maps));
  }
  return evidence;
}

}  // namespace lmp::compiler
