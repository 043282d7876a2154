#include "compiler/record_evidence.h"

#include <elf.h>
#include <gtest/gtest.h>
#include <linux/bpf.h>

#include <cstring>
#include <string>
#include <vector>

namespace lmp::compiler {
namespace {

bpf_insn insn_record_evidence(uint8_t code, uint8_t dst, uint8_t src, int16_t off, int32_t imm) {
  bpf_insn i{};
  i.code = code;
  i.dst_reg = dst;
  i.src_reg = src;
  i.off = off;
  i.imm = imm;
  return i;
}
bpf_insn mov(uint8_t dst, int32_t imm) {
  return insn_record_evidence(BPF_ALU64 | BPF_MOV | BPF_K, dst, 0, 0, imm);
}
bpf_insn mov_reg(uint8_t dst, uint8_t src) {
  return insn_record_evidence(BPF_ALU64 | BPF_MOV | BPF_X, dst, src, 0, 0);
}
bpf_insn call(int32_t helper) {
  return insn_record_evidence(BPF_JMP | BPF_CALL, 0, 0, 0, helper);
}

// An ELF object with one program section `code`, a ".maps" section with `maps` symbols, and
// relocations: instruction index -> map symbol index (1-based into `maps`).
class ObjectBuilder {
 public:
  std::vector<bpf_insn> code;
  std::vector<std::string> maps;
  std::vector<std::pair<size_t, size_t>> relocs;

  // Appends `r = map` (ld_imm64 with a relocation) to the code.
  void load_map(uint8_t r, size_t map) {
    relocs.push_back({code.size(), map});
    code.push_back(insn_record_evidence(BPF_LD | BPF_IMM | BPF_DW, r, 1, 0, 0));
    code.push_back(insn_record_evidence(0, 0, 0, 0, 0));
  }

  std::vector<uint8_t> build() const {
    std::string shstr =
        std::string("\0.text.prog\0.rel.text.prog\0.maps\0.symtab\0.strtab\0.shstrtab\0", 59);
    std::string str(1, '\0');
    std::vector<Elf64_Sym> syms(1);
    for (size_t i = 0; i < maps.size(); ++i) {
      Elf64_Sym s{};
      s.st_name = static_cast<uint32_t>(str.size());
      s.st_shndx = 3;
      s.st_value = i * 8;
      syms.push_back(s);
      str += maps[i] + '\0';
    }
    std::vector<Elf64_Rel> rels;
    for (auto [at, map] : relocs) rels.push_back({at * 8, ELF64_R_INFO(map, 1)});
    std::vector<std::pair<const void*, size_t>> blobs = {
        {code.data(), code.size() * sizeof(bpf_insn)},
        {rels.data(), rels.size() * sizeof(Elf64_Rel)},
        {nullptr, maps.size() * 8},
        {syms.data(), syms.size() * sizeof(Elf64_Sym)},
        {str.data(), str.size()},
        {shstr.data(), shstr.size()}};
    std::vector<uint8_t> out(sizeof(Elf64_Ehdr));
    std::vector<Elf64_Shdr> sh(7);
    uint32_t names[] = {1, 12, 27, 33, 41, 49};  // offsets in shstr
    uint32_t types[] = {SHT_PROGBITS, SHT_REL, SHT_PROGBITS, SHT_SYMTAB, SHT_STRTAB, SHT_STRTAB};
    for (size_t i = 0; i < blobs.size(); ++i) {
      Elf64_Shdr& s = sh[i + 1];
      s.sh_name = names[i];
      s.sh_type = types[i];
      s.sh_offset = out.size();
      s.sh_size = blobs[i].second;
      if (blobs[i].first)
        out.insert(out.end(), static_cast<const uint8_t*>(blobs[i].first),
                   static_cast<const uint8_t*>(blobs[i].first) + blobs[i].second);
      else
        out.resize(out.size() + blobs[i].second);
    }
    sh[1].sh_flags = SHF_ALLOC | SHF_EXECINSTR;
    sh[2].sh_link = 4;
    sh[2].sh_info = 1;
    sh[4].sh_link = 5;
    sh[4].sh_entsize = sizeof(Elf64_Sym);
    Elf64_Ehdr h{};
    std::memcpy(h.e_ident, ELFMAG, SELFMAG);
    h.e_ident[EI_CLASS] = ELFCLASS64;
    h.e_ident[EI_DATA] = ELFDATA2LSB;
    h.e_machine = EM_BPF;
    h.e_shoff = out.size();
    h.e_shentsize = sizeof(Elf64_Shdr);
    h.e_shnum = static_cast<uint16_t>(sh.size());
    h.e_shstrndx = 6;
    const auto* p = reinterpret_cast<const uint8_t*>(sh.data());
    out.insert(out.end(), p, p + sh.size() * sizeof(Elf64_Shdr));
    std::memcpy(out.data(), &h, sizeof(h));
    return out;
  }
};

TEST(RecordEvidence, ReserveSizeIsAnImmediateInR2) {
  ObjectBuilder b;
  b.maps = {"rb"};
  b.load_map(1, 1);
  b.code.push_back(mov(2, 32));
  b.code.push_back(mov(3, 0));
  b.code.push_back(call(131));
  b.code.push_back(insn_record_evidence(BPF_JMP | BPF_EXIT, 0, 0, 0, 0));
  auto e = read_record_evidence(b.build());
  ASSERT_TRUE(e) << e.error().message;
  ASSERT_TRUE(e->contains("rb"));
  EXPECT_EQ(e->at("rb").sizes, std::set<uint32_t>{32});
  EXPECT_FALSE(e->at("rb").variable);
}

TEST(RecordEvidence, PerfOutputOfAMapValueWithComputedSize) {
  ObjectBuilder b;
  b.maps = {"heap", "pb"};
  b.load_map(1, 1);
  b.code.push_back(call(1));        // r0 = lookup(heap)
  b.code.push_back(mov_reg(6, 0));  // r6 = r0, survives the next call
  b.code.push_back(call(14));
  b.code.push_back(mov_reg(5, 0));  // size from a helper: not a constant
  b.load_map(2, 2);
  b.code.push_back(mov_reg(4, 6));
  b.code.push_back(call(25));
  b.code.push_back(insn_record_evidence(BPF_JMP | BPF_EXIT, 0, 0, 0, 0));
  auto e = read_record_evidence(b.build());
  ASSERT_TRUE(e);
  ASSERT_TRUE(e->contains("pb"));
  EXPECT_TRUE(e->at("pb").variable);
  EXPECT_EQ(e->at("pb").value_maps, std::set<std::string>{"heap"});
}

TEST(RecordEvidence, DifferentSizesOnJoiningPathsAreNotAConstant) {
  ObjectBuilder b;
  b.maps = {"rb"};
  b.code.push_back(mov(3, 16));
  b.code.push_back(
      insn_record_evidence(BPF_JMP | BPF_JEQ | BPF_K, 1, 0, 1, 0));  // if r1 == 0 skip one
  b.code.push_back(mov(3, 24));
  b.load_map(1, 1);
  b.code.push_back(call(130));
  b.code.push_back(insn_record_evidence(BPF_JMP | BPF_EXIT, 0, 0, 0, 0));
  auto e = read_record_evidence(b.build());
  ASSERT_TRUE(e);
  EXPECT_TRUE(e->at("rb").variable);
  EXPECT_TRUE(e->at("rb").sizes.empty());
}

TEST(RecordEvidence, NotAnElfIsAnError) {
  std::vector<uint8_t> junk(100, 'x');
  EXPECT_FALSE(read_record_evidence(junk));
}

}  // namespace
}  // namespace lmp::compiler
