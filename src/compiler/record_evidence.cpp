#include "compiler/record_evidence.h"

#include <linux/bpf.h>

#include <array>
#include <cstdint>
#include <cstring>
#include <optional>
#include <vector>

#include "compiler/bpf_elf.h"

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

// Instruction index -> map name, for the ld_imm64 instructions of section `target` that load a
// map's address (relocations against symbols in section `maps`, ".maps").
Result<std::map<std::size_t, std::string>> map_loads(const BpfElf& elf, std::size_t target,
                                                     std::size_t maps) {
  std::map<std::size_t, std::string> loads;
  for (const auto& reloc : LMP_TRY(elf.relocations(target)))
    if (reloc.symbol.st_shndx == maps) loads[reloc.insn] = std::string(reloc.symbol_name);
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
  BpfElf elf = LMP_TRY(BpfElf::parse(data));
  std::map<std::string, BufferEvidence> evidence;
  auto maps = elf.find_section(".maps");
  if (!maps) return evidence;
  Scanner scanner(evidence);
  for (std::size_t i = 0; i < elf.section_count(); ++i)
    if (elf.is_code(i)) scanner.scan(elf.section_bytes(i), LMP_TRY(map_loads(elf, i, *maps)));
  return evidence;
}

}  // namespace lmp::compiler
