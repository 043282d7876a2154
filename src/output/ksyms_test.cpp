#include "output/ksyms.h"

#include <gtest/gtest.h>

namespace lmp::output {
namespace {

constexpr const char* kTable =
    "ffffffff81000000 T _stext\n"
    "ffffffff81200000 T vfs_read\n"
    "ffffffff81100000 t do_sys_openat2\n"  // out of order: the table sorts
    "ffffffff81300000 D some_data\n"       // not text: skipped
    "ffffffffc0400000 t ext4_file_open\t[ext4]\n"
    "not a line\n"
    "0000000000000000 T hidden_without_root\n";

TEST(KernelSymbols, ResolvesAddressesToFunctionAndOffset) {
  KernelSymbols symbols(kTable);
  EXPECT_EQ(symbols.size(), 4u);
  EXPECT_EQ(symbols.resolve(0xffffffff81200000), "vfs_read");
  EXPECT_EQ(symbols.resolve(0xffffffff8120001a), "vfs_read+0x1a");
  EXPECT_EQ(symbols.resolve(0xffffffff81100010), "do_sys_openat2+0x10");
  EXPECT_EQ(symbols.resolve(0xffffffff81300000), "vfs_read+0x100000");  // data is skipped
  EXPECT_EQ(symbols.resolve(0xffffffffc0400004), "ext4_file_open+0x4 [ext4]");
  EXPECT_EQ(symbols.resolve(0xffffffff80000000), std::nullopt);  // below the first symbol
  EXPECT_EQ(symbols.resolve(0), std::nullopt);
}

TEST(KernelSymbols, ZeroAddressesWithoutRootResolveNothing) {
  KernelSymbols symbols(
      "0000000000000000 T _stext\n"
      "0000000000000000 T vfs_read\n");
  EXPECT_EQ(symbols.size(), 0u);
  EXPECT_EQ(symbols.resolve(0xffffffff81200000), std::nullopt);
  EXPECT_EQ(KernelSymbols("").resolve(1), std::nullopt);
}

}  // namespace
}  // namespace lmp::output
