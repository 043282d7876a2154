#include "loader/check_kernel.h"

#include <gtest/gtest.h>

#include "loader/check_core.h"

namespace lmp::loader {
namespace {

TEST(CheckKernelTest, ParsesKernelVersions) {
  int major = -1, minor = -1;
  parse_kernel_version("6.1.0-18-amd64", major, minor);
  EXPECT_EQ(major, 6);
  EXPECT_EQ(minor, 1);
  parse_kernel_version("5.15", major, minor);
  EXPECT_EQ(major, 5);
  EXPECT_EQ(minor, 15);
  parse_kernel_version("custom", major, minor);
  EXPECT_EQ(major, 0);
  parse_kernel_version("6.", major, minor);
  EXPECT_EQ(major, 0);
}

TEST(CheckKernelTest, RunningKernelHasAReleaseAndArch) {
  KernelRelease k = kernel_release();
  EXPECT_FALSE(k.release.empty());
  EXPECT_FALSE(k.arch.empty());
  EXPECT_GT(k.major, 0);
}

TEST(CheckCoreTest, EssentialNameDropsTheFlavor) {
  EXPECT_EQ(essential_name("task_struct___x"), "task_struct");
  EXPECT_EQ(essential_name("task_struct___x___y"), "task_struct___x");
  EXPECT_EQ(essential_name("task_struct"), "task_struct");
  EXPECT_EQ(essential_name("a__b"), "a__b");
}

}  // namespace
}  // namespace lmp::loader
