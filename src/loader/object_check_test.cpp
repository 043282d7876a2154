#include "loader/object_check.h"

#include <elf.h>
#include <gtest/gtest.h>

#include <csignal>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "loader/bpf_object_handle.h"
#include "loader/open_probe.h"

namespace lmp::loader {
namespace {

namespace fs = std::filesystem;

const fs::path kSeeds = fs::path(LMP_SOURCE_DIR) / "src/loader/fuzz_seeds/object";

std::vector<uint8_t> read_seed(const std::string& name) {
  std::ifstream in(kSeeds / name, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}

// Objects made by lmp build (catalog tools) and the crafted objects that crashed libbpf.
const char* const kGood[] = {"syscount.o", "sigsnoop.o", "runqlat.o", "tcpstates.o"};
const char* const kCrashers[] = {"libbpf_open_segv.o", "libbpf_load_segv.o", "libbpf_load_segv2.o"};

TEST(ObjectCheckTest, AcceptsObjectsFromLmpBuild) {
  for (const char* name : kGood) {
    auto elf = read_seed(name);
    ASSERT_GT(elf.size(), 1000u) << name;
    auto checked = check_object(elf);
    EXPECT_TRUE(checked) << name << ": " << checked.error().message;
  }
}

TEST(ObjectCheckTest, RefusesTheObjectsThatCrashedLibbpf) {
  for (const char* name : kCrashers) {
    auto checked = check_object(read_seed(name));
    ASSERT_FALSE(checked) << name;
    EXPECT_EQ(checked.error().code, ExitCode::kBadPackage);
    EXPECT_TRUE(checked.error().message.starts_with("malformed eBPF object: .BTF type"))
        << checked.error().message;
  }
}

TEST(ObjectCheckTest, RefusesEveryTruncation) {
  auto elf = read_seed("syscount.o");
  for (std::size_t n = 0; n < elf.size(); n += 7)
    EXPECT_FALSE(check_object(std::span(elf).first(n))) << n;
}

TEST(ObjectCheckTest, RefusesBrokenElfStructure) {
  auto good = read_seed("syscount.o");
  Elf64_Ehdr header;
  std::memcpy(&header, good.data(), sizeof header);
  auto with = [&](auto change) {
    auto copy = good;
    change(copy);
    return check_object(copy);
  };
  EXPECT_FALSE(with([](auto& e) { e[EI_DATA] = ELFDATA2MSB; }));
  EXPECT_FALSE(with([](auto& e) { e[EI_CLASS] = ELFCLASS32; }));
  EXPECT_FALSE(with([&](auto& e) {
    uint64_t far = e.size();
    std::memcpy(e.data() + offsetof(Elf64_Ehdr, e_shoff), &far, 8);
  }));
  EXPECT_FALSE(with([&](auto& e) {
    uint16_t index = header.e_shnum;
    std::memcpy(e.data() + offsetof(Elf64_Ehdr, e_shstrndx), &index, 2);
  }));
  // Every section header field that points somewhere, pointed far away.
  for (uint16_t i = 1; i < header.e_shnum; ++i) {
    std::size_t at = header.e_shoff + i * sizeof(Elf64_Shdr);
    Elf64_Shdr sh;
    std::memcpy(&sh, good.data() + at, sizeof sh);
    EXPECT_FALSE(with([&](auto& e) {
      uint64_t huge = 1ull << 40;
      std::memcpy(e.data() + at + offsetof(Elf64_Shdr, sh_offset), &huge, 8);
    })) << "section "
        << i;
    EXPECT_FALSE(with([&](auto& e) {
      uint32_t name = 0xfffffff;
      std::memcpy(e.data() + at + offsetof(Elf64_Shdr, sh_name), &name, 4);
    })) << "section "
        << i;
    if (sh.sh_type == SHT_REL) {
      EXPECT_FALSE(with([&](auto& e) {
        uint64_t info = ELF64_R_INFO(0xffffff, 1);  // a symbol that is not there
        std::memcpy(e.data() + sh.sh_offset + offsetof(Elf64_Rel, r_info), &info, 8);
      })) << "section "
          << i;
    }
    if (sh.sh_type == SHT_SYMTAB) {
      EXPECT_FALSE(with([&](auto& e) {
        uint16_t shndx = header.e_shnum + 3;
        std::memcpy(e.data() + sh.sh_offset + sizeof(Elf64_Sym) + offsetof(Elf64_Sym, st_shndx),
                    &shndx, 2);
      })) << "section "
          << i;
    }
  }
}

TEST(OpenProbeTest, OpensAGoodObjectAndSurvivesLibbpfCrashing) {
  auto good = probe_open(read_seed("syscount.o"), "syscount", "");
  EXPECT_EQ(good.outcome, ProbeOutcome::kOpened);
  // Unchecked, this object makes libbpf 1.1.2 dereference a NULL type while opening it.
  auto crash = probe_open(read_seed("libbpf_open_segv.o"), "execsnoop", "");
  if (crash.outcome == ProbeOutcome::kOpened) GTEST_SKIP() << "this libbpf checks BTF itself";
  EXPECT_EQ(crash.outcome, ProbeOutcome::kCrashed);
  EXPECT_EQ(crash.signal, SIGSEGV);
  std::vector<uint8_t> garbage(100, 0x41);
  EXPECT_EQ(probe_open(garbage, "", "").outcome, ProbeOutcome::kRefused);
}

TEST(OpenProbeTest, BpfObjectHandleRefusesCrashersWithExitCode3) {
  for (const char* name : kCrashers) {
    auto opened = BpfObjectHandle::open(read_seed(name), "execsnoop", "");
    ASSERT_FALSE(opened) << name;
    EXPECT_EQ(opened.error().code, ExitCode::kBadPackage);
  }
  auto good = BpfObjectHandle::open(read_seed("runqlat.o"), "runqlat", "");
  EXPECT_TRUE(good) << good.error().message;
}

}  // namespace
}  // namespace lmp::loader
