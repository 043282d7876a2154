#include "output/user_maps.h"

#include <unistd.h>

#include <cstring>

#include <gtest/gtest.h>

#include "output/value_format.h"

namespace lmp::output::detail {
namespace {

TEST(UserMaps, ParsesExecutableFileMappingsOnly) {
  auto maps = parse_user_maps(
      "55d0c0a00000-55d0c0a28000 r--p 00000000 fe:01 1234 /usr/bin/bash\n"
      "55d0c0a28000-55d0c0af0000 r-xp 00028000 fe:01 1234 /usr/bin/bash\n"
      "7f1200000000-7f1200021000 rw-p 00000000 00:00 0 \n"
      "7f1234528000-7f12346bd000 r-xp 00028000 fe:01 99 /usr/lib/x86_64-linux-gnu/libc.so.6\n"
      "7f1234600000-7f1234601000 r-xp 00000000 fe:01 98 /tmp/gone.so (deleted)\n"
      "7ffd1a5e4000-7ffd1a5e6000 r-xp 00000000 00:00 0                          [vdso]\n"
      "garbage line\n");
  ASSERT_EQ(maps.size(), 3u);
  EXPECT_EQ(maps[0].module, "bash");
  EXPECT_EQ(maps[0].start, 0x55d0c0a28000u);
  EXPECT_EQ(maps[0].offset, 0x28000u);
  EXPECT_EQ(maps[1].module, "libc.so.6");
  EXPECT_EQ(maps[2].module, "gone.so");
}

TEST(UserMaps, AddressesOfThisProcessNameTheirModule) {
  auto address = reinterpret_cast<uint64_t>(&::getpid);
  auto text = user_address_text(::getpid(), address);
  ASSERT_TRUE(text);
  EXPECT_TRUE(text->starts_with("libc.so.6+0x")) << *text;
  EXPECT_FALSE(user_address_text(::getpid(), 8));  // nothing is mapped there
  EXPECT_FALSE(user_address_text(0, address));
  EXPECT_FALSE(user_address_text(999999999, address));  // no such process

  // The ustack format: module+offset with the pid, hex without; a zero ends the stack.
  uint64_t stack[3] = {address, 8, 0};
  uint8_t bytes[sizeof stack];
  std::memcpy(bytes, stack, sizeof stack);
  auto format = parse_value_format("ustack");
  ASSERT_TRUE(format);
  auto with_pid = format_value(*format, bytes, false, std::nullopt, ::getpid());
  ASSERT_TRUE(with_pid);
  EXPECT_TRUE(with_pid->starts_with("libc.so.6+0x")) << *with_pid;
  EXPECT_TRUE(with_pid->ends_with(";0x8")) << *with_pid;
  auto without = format_value(*format, bytes, false, std::nullopt);
  ASSERT_TRUE(without);
  EXPECT_EQ(without->find("libc"), std::string::npos) << *without;
  EXPECT_EQ(decoded_key(*format, "stack"), "stack_name");
}

}  // namespace
}  // namespace lmp::output::detail
