#include "common/value_names.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/syscall.h>

#include <gtest/gtest.h>

namespace lmp {
namespace {

TEST(ValueNames, ErrnoBothWays) {
  EXPECT_EQ(errno_name(2), "ENOENT");
  EXPECT_EQ(errno_name(-2), "ENOENT");  // kernel returns are negated
  EXPECT_EQ(errno_name(-13), "EACCES");
  EXPECT_EQ(errno_name(512), "ERESTARTSYS");  // kernel-internal, seen by tracers
  EXPECT_EQ(errno_name(0), std::nullopt);
  EXPECT_EQ(errno_name(4000), std::nullopt);
  EXPECT_EQ(errno_name(INT64_MIN), std::nullopt);
  EXPECT_EQ(errno_number("ENOENT"), 2);
  EXPECT_EQ(errno_number("enoent"), 2);
  EXPECT_EQ(errno_number("13"), 13);
  EXPECT_EQ(errno_number("ERESTARTSYS"), 512);
  EXPECT_EQ(errno_number("ENOTANERROR"), std::nullopt);
  EXPECT_EQ(errno_number(""), std::nullopt);
  EXPECT_EQ(errno_number("-2"), std::nullopt);
}

TEST(ValueNames, SignalsBothWays) {
  EXPECT_EQ(signal_name(9), "SIGKILL");
  EXPECT_EQ(signal_name(SIGCHLD), "SIGCHLD");
  EXPECT_EQ(signal_name(0), std::nullopt);
  EXPECT_EQ(signal_name(65), std::nullopt);
  EXPECT_EQ(signal_name(-9), std::nullopt);
  EXPECT_EQ(signal_number("SIGKILL"), 9);
  EXPECT_EQ(signal_number("KILL"), 9);
  EXPECT_EQ(signal_number("kill"), 9);
  EXPECT_EQ(signal_number("9"), 9);
  EXPECT_EQ(signal_number("SIGIOT"), SIGABRT);
  EXPECT_EQ(signal_number("0"), std::nullopt);
  EXPECT_EQ(signal_number("SIGNOPE"), std::nullopt);
  EXPECT_EQ(signal_number(""), std::nullopt);
}

TEST(ValueNames, RealTimeSignalsCountFromGlibcsRtmin) {
  EXPECT_EQ(signal_name(SIGRTMIN), "SIGRTMIN");
  EXPECT_EQ(signal_name(SIGRTMIN + 3), "SIGRTMIN+3");
  EXPECT_EQ(signal_name(SIGRTMAX), "SIGRTMAX");
  EXPECT_EQ(signal_name(32), "SIG32");  // reserved by glibc, still a kernel signal
  EXPECT_EQ(signal_number("SIGRTMIN+3"), SIGRTMIN + 3);
  EXPECT_EQ(signal_number("rtmin"), SIGRTMIN);
  EXPECT_EQ(signal_number("SIGRTMAX-1"), SIGRTMAX - 1);
  EXPECT_EQ(signal_number("SIG32"), 32);
  EXPECT_EQ(signal_number("SIGRTMIN+99"), std::nullopt);
  EXPECT_EQ(signal_number("SIGRTMIN-1"), std::nullopt);
  for (int sig = 1; sig <= 64; ++sig) {
    auto name = signal_name(sig);
    ASSERT_TRUE(name) << sig;
    EXPECT_EQ(signal_number(*name), sig) << *name;
  }
}

TEST(ValueNames, SyscallsOfTheRunningArchitecture) {
  EXPECT_EQ(syscall_name(SYS_openat), "openat");
  EXPECT_EQ(syscall_name(SYS_kill), "kill");
  EXPECT_EQ(syscall_number("openat"), SYS_openat);
  EXPECT_EQ(syscall_number("OPENAT"), SYS_openat);
  EXPECT_EQ(syscall_number("257"), 257);
  EXPECT_EQ(syscall_name(-1), std::nullopt);
  EXPECT_EQ(syscall_name(100000), std::nullopt);
  EXPECT_EQ(syscall_number("no_such_call"), std::nullopt);
  EXPECT_EQ(syscall_number(""), std::nullopt);
}

TEST(ValueNames, OpenFlagsWithTheAccessMode) {
  EXPECT_EQ(flags_text("open", O_RDONLY), "O_RDONLY");
  EXPECT_EQ(flags_text("open", O_RDONLY | O_CLOEXEC), "O_RDONLY|O_CLOEXEC");
  EXPECT_EQ(flags_text("open", O_WRONLY | O_CREAT | O_TRUNC), "O_WRONLY|O_CREAT|O_TRUNC");
  EXPECT_EQ(flags_text("open", O_RDWR | O_TMPFILE), "O_RDWR|O_TMPFILE");  // not O_DIRECTORY too
  EXPECT_EQ(flags_text("open", O_RDONLY | O_DIRECTORY), "O_RDONLY|O_DIRECTORY");
  EXPECT_EQ(flags_text("open", O_SYNC), "O_RDONLY|O_SYNC");
  EXPECT_EQ(flags_text("open", O_DSYNC), "O_RDONLY|O_DSYNC");
  EXPECT_EQ(flags_text("open", 0100000), "O_RDONLY|O_LARGEFILE");  // the kernel's value
  // Access mode 3 is not a mode: it stays as bits.
  EXPECT_EQ(flags_text("open", 3 | O_CLOEXEC), "O_CLOEXEC|0x3");
  EXPECT_EQ(flags_text("open", O_WRONLY | 0x40000000), "O_WRONLY|0x40000000");
  EXPECT_EQ(flags_text("nope", 1), std::nullopt);
}

TEST(ValueNames, OtherFlagSets) {
  EXPECT_EQ(flags_text("mmap_prot", 0), "PROT_NONE");
  EXPECT_EQ(flags_text("mmap_prot", 3), "PROT_READ|PROT_WRITE");
  EXPECT_EQ(flags_text("mmap", 0x22), "MAP_PRIVATE|MAP_ANONYMOUS");
  EXPECT_EQ(flags_text("mmap", 0x3), "MAP_SHARED_VALIDATE");
  EXPECT_EQ(flags_text("mmap", 0), "0");
  EXPECT_EQ(flags_text("clone", 0x100 | 0x10000), "CLONE_VM|CLONE_THREAD");
  EXPECT_EQ(flags_text("clone", 0x11), "0x11");  // the exit signal byte stays a number
  EXPECT_TRUE(is_flag_set("clone"));
  EXPECT_FALSE(is_flag_set("CLONE"));
  EXPECT_EQ(flag_set_names().size(), 4u);
}

TEST(ValueNames, FlagsFromText) {
  EXPECT_EQ(flags_number("open", "O_WRONLY|O_CREAT"), uint64_t(O_WRONLY | O_CREAT));
  EXPECT_EQ(flags_number("open", "o_rdonly"), 0u);
  EXPECT_EQ(flags_number("open", "O_CLOEXEC|0x3"), uint64_t(O_CLOEXEC | 3));
  EXPECT_EQ(flags_number("mmap_prot", "PROT_NONE"), 0u);
  EXPECT_EQ(flags_number("open", "O_BOGUS"), std::nullopt);
  EXPECT_EQ(flags_number("open", "O_RDONLY||"), std::nullopt);
  EXPECT_EQ(flags_number("nope", "1"), std::nullopt);
  for (uint64_t v : {0u, 01u, 02u, 0101u, 02000000u, 020200000u, 0x40000001u}) {
    EXPECT_EQ(flags_number("open", *flags_text("open", v)), v) << v;
  }
}

}  // namespace
}  // namespace lmp
