#include "compiler/global_writes.h"

#include <gtest/gtest.h>

#include <vector>

#include "compiler/object_meta.h"

namespace lmp::compiler {
namespace {

bpf_insn insn(uint8_t code, uint8_t dst, uint8_t src, int16_t off, int32_t imm) {
  bpf_insn i{};
  i.code = code;
  i.dst_reg = dst;
  i.src_reg = src;
  i.off = off;
  i.imm = imm;
  return i;
}

// r<reg> = &global (a 64-bit immediate: two slots).
void load_address(std::vector<bpf_insn>& p, uint8_t reg) {
  p.push_back(insn(BPF_LD | BPF_DW | BPF_IMM, reg, 0, 0, 0));
  p.push_back(insn(0, 0, 0, 0, 0));
}

const bpf_insn kExit = insn(BPF_JMP | BPF_EXIT, 0, 0, 0, 0);

TEST(GlobalWrites, ReadThenOverwrittenIsReadOnly) {
  std::vector<bpf_insn> p;
  load_address(p, 1);
  p.push_back(insn(BPF_LDX | BPF_MEM | BPF_W, 1, 1, 0, 0));    // r1 = *(u32 *)(r1 + 0)
  p.push_back(insn(BPF_JMP | BPF_JEQ | BPF_K, 1, 0, 1, 0));    // if r1 == 0 goto +1
  p.push_back(insn(BPF_STX | BPF_MEM | BPF_W, 10, 1, -4, 0));  // *(u32 *)(r10 - 4) = r1
  p.push_back(kExit);
  EXPECT_FALSE(may_write_through(p, 0));
}

TEST(GlobalWrites, AddressKeptAcrossBranchesAndReadIsReadOnly) {
  std::vector<bpf_insn> p;
  load_address(p, 6);
  p.push_back(insn(BPF_JMP | BPF_JEQ | BPF_K, 2, 0, 2, 0));    // if r2 == 0 goto +2
  p.push_back(insn(BPF_LDX | BPF_MEM | BPF_B, 3, 6, 1, 0));    // r3 = *(u8 *)(r6 + 1)
  p.push_back(insn(BPF_JMP | BPF_CALL, 0, 0, 0, 5));           // call: r6 survives
  p.push_back(insn(BPF_ALU64 | BPF_ADD | BPF_K, 6, 0, 0, 4));  // r6 += 4
  p.push_back(insn(BPF_LDX | BPF_MEM | BPF_W, 0, 6, 0, 0));
  p.push_back(kExit);
  EXPECT_FALSE(may_write_through(p, 0));
}

TEST(GlobalWrites, StoresAtomicsCopiesAndCallsAreWrites) {
  auto with = [](bpf_insn use) {
    std::vector<bpf_insn> p;
    load_address(p, 1);
    p.push_back(use);
    p.push_back(kExit);
    return may_write_through(p, 0);
  };
  EXPECT_TRUE(with(insn(BPF_STX | BPF_MEM | BPF_DW, 1, 2, 0, 0)));  // *(r1) = r2
  EXPECT_TRUE(with(insn(BPF_ST | BPF_MEM | BPF_W, 1, 0, 0, 7)));    // *(r1) = 7
  EXPECT_TRUE(with(insn(BPF_STX | BPF_ATOMIC | BPF_DW, 1, 2, 0, BPF_ADD)));
  EXPECT_TRUE(with(insn(BPF_STX | BPF_MEM | BPF_DW, 10, 1, -8, 0)));  // address spilled
  EXPECT_TRUE(with(insn(BPF_ALU64 | BPF_MOV | BPF_X, 3, 1, 0, 0)));   // r3 = r1
  EXPECT_TRUE(with(insn(BPF_JMP | BPF_CALL, 0, 0, 0, 4)));            // helper(r1, ...)
  EXPECT_FALSE(with(insn(BPF_ALU64 | BPF_MOV | BPF_K, 1, 0, 0, 0)));  // r1 = 0
}

TEST(GlobalWrites, WriteOnTheTakenBranchIsFound) {
  std::vector<bpf_insn> p;
  load_address(p, 7);
  p.push_back(insn(BPF_JMP | BPF_JNE | BPF_K, 2, 0, 1, 0));  // if r2 != 0 goto +1
  p.push_back(kExit);
  p.push_back(insn(BPF_ST | BPF_MEM | BPF_W, 7, 0, 0, 1));  // *(u32 *)(r7) = 1
  p.push_back(kExit);
  EXPECT_TRUE(may_write_through(p, 0));
}

TEST(GlobalWrites, MalformedReferencesCountAsWrites) {
  std::vector<bpf_insn> p = {kExit};
  EXPECT_TRUE(may_write_through(p, 0));  // not a 64-bit load
  EXPECT_TRUE(may_write_through(p, 5));  // out of range
  load_address(p, 1);
  EXPECT_TRUE(may_write_through(p, 1));  // falls off the end
  EXPECT_FALSE(written_globals(std::vector<uint8_t>{1, 2, 3}));
}

package::Variable var(std::string name, std::string type) {
  package::Variable v;
  v.name = std::move(name);
  v.type = std::move(type);
  return v;
}

TEST(ObjectMeta, UnwrittenScalarsOutsideRodataBecomeOptions) {
  std::vector<package::DataSection> sections(3);
  sections[0].name = ".rodata";
  sections[0].variables = {var("min_us", "unsigned long long")};
  sections[1].name = ".bss";
  sections[1].variables = {var("targ_pid", "pid_t"), var("count", "__u64"), var("comm", "char[16]"),
                           var("state", "struct state")};
  sections[2].name = ".data";
  sections[2].variables = {var("threshold", "int")};
  mark_settings(sections, {"count"});
  EXPECT_FALSE(sections[0].variables[0].cmdarg);  // .rodata: an option anyway
  EXPECT_TRUE(sections[1].variables[0].cmdarg);
  EXPECT_FALSE(sections[1].variables[1].cmdarg);  // written by the program
  EXPECT_TRUE(sections[1].variables[2].cmdarg);
  EXPECT_FALSE(sections[1].variables[3].cmdarg);  // not an option type
  EXPECT_TRUE(sections[2].variables[0].cmdarg);
}

}  // namespace
}  // namespace lmp::compiler
