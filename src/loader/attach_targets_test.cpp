#include "loader/attach_targets.h"

#include <gtest/gtest.h>

#include <string>

namespace lmp::loader {
namespace {

TEST(UprobeTarget, BinaryAndFunction) {
  auto target = parse_uprobe_target("/usr/bin/bash:readline");
  ASSERT_TRUE(target) << target.error().message;
  EXPECT_EQ(target->binary, "/usr/bin/bash");
  EXPECT_EQ(target->function, "readline");
  EXPECT_EQ(target->offset, 0u);
}

TEST(UprobeTarget, FunctionPlusOffset) {
  auto target = parse_uprobe_target("libc.so.6:malloc+0x10");
  ASSERT_TRUE(target) << target.error().message;
  EXPECT_EQ(target->binary, "libc.so.6");
  EXPECT_EQ(target->function, "malloc");
  EXPECT_EQ(target->offset, 0x10u);
}

TEST(UprobeTarget, BareOffsetHasNoFunction) {
  auto target = parse_uprobe_target("/bin/true:0x1234");
  ASSERT_TRUE(target) << target.error().message;
  EXPECT_TRUE(target->function.empty());
  EXPECT_EQ(target->offset, 0x1234u);
}

TEST(UprobeTarget, BinaryMayHoldColons) {
  auto target = parse_uprobe_target("/opt/a:b/tool:main");
  ASSERT_TRUE(target);
  EXPECT_EQ(target->binary, "/opt/a:b/tool");
  EXPECT_EQ(target->function, "main");
}

TEST(UprobeTarget, MalformedTextsSayTheForm) {
  for (const char* text : {"malloc", ":malloc", "libc.so.6:", "libc.so.6:malloc+x", "x:+4"}) {
    auto target = parse_uprobe_target(text);
    ASSERT_FALSE(target) << text;
    EXPECT_EQ(target.error().code, ExitCode::kUsage);
    EXPECT_NE(target.error().message.find("BINARY:FUNCTION"), std::string::npos)
        << target.error().message;
  }
}

TEST(UsdtTarget, BinaryProviderName) {
  auto target = parse_usdt_target("/usr/bin/python3:python:function__entry");
  ASSERT_TRUE(target) << target.error().message;
  EXPECT_EQ(target->binary, "/usr/bin/python3");
  EXPECT_EQ(target->provider, "python");
  EXPECT_EQ(target->name, "function__entry");
}

TEST(UsdtTarget, MalformedTextsSayTheForm) {
  for (const char* text : {"python", "a:b", ":p:n", "b::n", "b:p:", "::"}) {
    auto target = parse_usdt_target(text);
    ASSERT_FALSE(target) << text;
    EXPECT_NE(target.error().message.find("BINARY:PROVIDER:NAME"), std::string::npos) << text;
  }
}

TEST(ResolveBinary, PathIsKeptAndMissingPathIsNotFound) {
  EXPECT_EQ(resolve_binary("/bin/sh").value_or(""), "/bin/sh");
  auto missing = resolve_binary("/nonexistent/tool");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, ExitCode::kNotFound);
  EXPECT_NE(missing.error().message.find("/nonexistent/tool"), std::string::npos);
}

TEST(ResolveBinary, LibraryNameIsFoundInSystemDirectories) {
  auto libc = resolve_binary("libc.so.6");
  ASSERT_TRUE(libc) << libc.error().message;
  EXPECT_TRUE(libc->ends_with("/libc.so.6")) << *libc;
  auto missing = resolve_binary("libnosuchlibrary.so.1");
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().message.find("library libnosuchlibrary.so.1"), std::string::npos);
}

TEST(ResolveBinary, ProgramNameIsFoundOnPath) {
  auto sh = resolve_binary("sh");
  ASSERT_TRUE(sh) << sh.error().message;
  EXPECT_TRUE(sh->ends_with("/sh")) << *sh;
}

TEST(UserProbeSection, UprobesAndUsdtOnly) {
  for (const char* section :
       {"uprobe", "uretprobe", "uprobe.s", "uprobe/x:y", "usdt", "usdt/a:b:c"})
    EXPECT_TRUE(is_user_probe_section(section)) << section;
  for (const char* section : {"kprobe/x", "tp/a/b", "socket", "iter/task"})
    EXPECT_FALSE(is_user_probe_section(section)) << section;
}

TEST(CgroupV2, OrdinaryDirectoryIsNotACgroup) {
  auto fd = open_cgroup_v2("/tmp");
  ASSERT_FALSE(fd);
  EXPECT_NE(fd.error().message.find("/tmp is not a cgroup v2 directory"), std::string::npos)
      << fd.error().message;
}

TEST(CgroupV2, MissingDirectoryIsNotFound) {
  auto fd = open_cgroup_v2("/nonexistent/cgroup");
  ASSERT_FALSE(fd);
  EXPECT_EQ(fd.error().code, ExitCode::kNotFound);
  EXPECT_NE(fd.error().message.find("does not exist"), std::string::npos) << fd.error().message;
}

}  // namespace
}  // namespace lmp::loader
