#include "compiler/build_package.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <nlohmann/json.hpp>

#include "common/file.h"
#include "compiler/clang_driver.h"
#include "compiler/project_template.h"

namespace lmp::compiler {
namespace {

namespace fs = std::filesystem;

class TempDirTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char dir_template[] = "/tmp/lmp-compiler-test-XXXXXX";
    ASSERT_TRUE(mkdtemp(dir_template));
    dir_ = dir_template;
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path dir_;
};

using ProjectTemplateTest = TempDirTest;

TEST_F(ProjectTemplateTest, WritesEveryTemplateWithTheName) {
  EXPECT_EQ(template_names(), (std::vector<std::string>{"default", "hist", "wasm"}));
  for (const auto& name : template_names()) {
    auto files = create_project(dir_ / name, "my-tool", name);
    ASSERT_TRUE(files) << files.error().message;
    for (const char* f : {"my-tool.bpf.c", "my-tool.h", "config.json", "README.md", ".gitignore"}) {
      EXPECT_TRUE(fs::is_regular_file(dir_ / name / f)) << name << "/" << f;
    }
    auto config = read_file(dir_ / name / "config.json");
    ASSERT_TRUE(config);
    EXPECT_EQ(nlohmann::json::parse(*config)["name"], "my-tool");
    auto source = read_file(dir_ / name / "my-tool.bpf.c");
    ASSERT_TRUE(source);
    EXPECT_NE(source->find("#include \"my-tool.h\""), std::string::npos);
    EXPECT_EQ(source->find("__NAME__"), std::string::npos);
  }
}

TEST_F(ProjectTemplateTest, RefusesBadNamesTemplatesAndNonEmptyDirectories) {
  auto bad_name = create_project(dir_ / "x", "Bad Name", "default");
  ASSERT_FALSE(bad_name);
  EXPECT_EQ(bad_name.error().code, ExitCode::kUsage);
  EXPECT_FALSE(fs::exists(dir_ / "x"));
  auto bad_template = create_project(dir_ / "x", "x", "nope");
  ASSERT_FALSE(bad_template);
  EXPECT_NE(bad_template.error().hint.find("default"), std::string::npos);
  fs::create_directory(dir_ / "full");
  ASSERT_TRUE(write_file_atomic(dir_ / "full" / "keep.txt", "mine"));
  auto occupied = create_project(dir_ / "full", "full", "default");
  ASSERT_FALSE(occupied);
  EXPECT_NE(occupied.error().message.find("not empty"), std::string::npos);
  fs::create_directory(dir_ / "empty");
  EXPECT_TRUE(create_project(dir_ / "empty", "empty", "default"));
}

TEST(SubstituteName, ReplacesEveryPlaceholder) {
  EXPECT_EQ(substitute_name("__NAME__.bpf.c and __NAME__.h", "abc"), "abc.bpf.c and abc.h");
  EXPECT_EQ(substitute_name("none", "abc"), "none");
}

using FindSourceTest = TempDirTest;

TEST_F(FindSourceTest, NeedsExactlyOneBpfSource) {
  EXPECT_EQ(find_bpf_source(dir_).error().code, ExitCode::kNotFound);
  ASSERT_TRUE(write_file_atomic(dir_ / "a.bpf.c", ""));
  EXPECT_EQ(*find_bpf_source(dir_), dir_ / "a.bpf.c");
  ASSERT_TRUE(write_file_atomic(dir_ / "b.bpf.c", ""));
  auto two = find_bpf_source(dir_);
  ASSERT_FALSE(two);
  EXPECT_NE(two.error().message.find("a.bpf.c, b.bpf.c"), std::string::npos);
  EXPECT_EQ(*find_bpf_source(dir_ / "b.bpf.c"), dir_ / "b.bpf.c");
}

// Builds the default `lmp init` template for real: needs clang, libbpf-dev and kernel BTF.
class BuildTemplateTest : public TempDirTest {
 protected:
  void SetUp() override {
    TempDirTest::SetUp();
    if (!find_clang() || !check_libbpf_headers() || !fs::exists("/sys/kernel/btf/vmlinux")) {
      GTEST_SKIP() << "needs clang, libbpf-dev and /sys/kernel/btf/vmlinux";
    }
    const char* home = getenv("LMP_HOME");
    saved_home_ = home ? std::optional<std::string>(home) : std::nullopt;
    setenv("LMP_HOME", (dir_ / "home").c_str(), 1);
  }
  void TearDown() override {
    if (saved_home_)
      setenv("LMP_HOME", saved_home_->c_str(), 1);
    else
      unsetenv("LMP_HOME");
    TempDirTest::TearDown();
  }
  std::optional<std::string> saved_home_;
};

TEST_F(BuildTemplateTest, DefaultTemplateBuildsIntoACompletePackage) {
  ASSERT_TRUE(create_project(dir_ / "proj", "proj", "default"));
  BuildOptions options;
  options.input = dir_ / "proj";
  options.output_dir = dir_ / "out";
  auto built = build_package(options);
  ASSERT_TRUE(built) << built.error().message;
  EXPECT_EQ(built->name, "proj");
  EXPECT_EQ(built->package_file, dir_ / "out" / "package.json");
  EXPECT_TRUE(fs::is_regular_file(dir_ / "out" / "config.json"));
  EXPECT_TRUE(fs::is_regular_file(dir_ / "out" / "README.md"));

  auto text = read_file(built->package_file);
  ASSERT_TRUE(text);
  auto meta = nlohmann::json::parse(*text)["meta"];
  const auto& skel = meta["bpf_skel"];
  EXPECT_EQ(skel["obj_name"], "proj");
  std::vector<std::string> progs;
  for (const auto& p : skel["progs"]) progs.push_back(p["attach"]);
  EXPECT_EQ(progs, (std::vector<std::string>{"tp/sched/sched_process_exec",
                                             "tp/sched/sched_process_exit"}));
  std::vector<std::string> maps;
  for (const auto& m : skel["maps"]) maps.push_back(m["name"]);
  EXPECT_EQ(maps, (std::vector<std::string>{"exec_start", "events"}));
  ASSERT_EQ(meta["export_types"].size(), 1u);
  EXPECT_EQ(meta["export_types"][0]["name"], "event");
  EXPECT_EQ(meta["export_types"][0]["members"].size(), 7u);
  bool found_cmdarg = false;
  for (const auto& section : skel["data_sections"]) {
    for (const auto& v : section["variables"]) {
      if (v["name"] != "min_duration_ns") continue;
      EXPECT_EQ(v["type"], "unsigned long long");
      EXPECT_EQ(v["cmdarg"]["long"], "min-duration");
      found_cmdarg = true;
    }
  }
  EXPECT_TRUE(found_cmdarg) << skel["data_sections"].dump();
  EXPECT_EQ(skel["doc"]["version"], "0.1.0");
}

TEST_F(BuildTemplateTest, CompileErrorIsABuildError) {
  ASSERT_TRUE(write_file_atomic(dir_ / "broken.bpf.c", "int broken( {\n"));
  BuildOptions options;
  options.input = dir_ / "broken.bpf.c";
  auto built = build_package(options);
  ASSERT_FALSE(built);
  EXPECT_EQ(built.error().code, ExitCode::kBuild);
  EXPECT_NE(built.error().message.find("clang failed to compile"), std::string::npos);
}

}  // namespace
}  // namespace lmp::compiler
