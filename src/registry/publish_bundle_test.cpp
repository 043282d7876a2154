#include "registry/publish_bundle.h"

#include <chrono>
#include <fstream>

#include <gtest/gtest.h>

#include "package/package.h"
#include "package/test_objects.h"

namespace lmp::registry {
namespace {

namespace fs = std::filesystem;
using package::testing::fake_bpf_elf;

class PublishBundleTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/lmp-bundle-XXXXXX";
    dir_ = ::mkdtemp(tmpl);
    object_ = fake_bpf_elf(200);
    write("config.json", R"({"name":"demo","version":"1.0.0","author":"a","description":"d"})");
    write("package.json",
          package::testing::package_json(object_, package::testing::minimal_meta()).dump());
    std::string wasm("\0asm\1\0\0\0", 8);
    wasm += "data before";
    wasm.append(object_.begin(), object_.end());
    wasm += "data after";
    write("app.wasm", wasm);
  }
  void TearDown() override { fs::remove_all(dir_); }

  void write(const std::string& name, const std::string& content) {
    std::ofstream(dir_ / name, std::ios::binary) << content;
  }
  // Moves a file's time `seconds` into the past.
  void age(const std::string& name, int seconds) {
    fs::last_write_time(dir_ / name,
                        fs::last_write_time(dir_ / name) - std::chrono::seconds(seconds));
  }

  fs::path dir_;
  std::vector<uint8_t> object_;
};

std::vector<std::string> names(const PublishBundle& b) {
  std::vector<std::string> out;
  for (const auto& f : b.files) out.push_back(f.name);
  return out;
}

TEST_F(PublishBundleTest, CollectsTheBuiltFiles) {
  write("README.md", "# demo\n");
  write("notes.txt", "not uploaded");
  auto bundle = read_publish_bundle(dir_, false);
  ASSERT_TRUE(bundle) << bundle.error().message;
  EXPECT_EQ(bundle->config.name, "demo");
  EXPECT_EQ(bundle->config.version, "1.0.0");
  EXPECT_EQ(names(*bundle),
            (std::vector<std::string>{"README.md", "app.wasm", "config.json", "package.json"}));
  std::uint64_t size = 0;
  for (const auto& f : bundle->files) size += f.content.size();
  EXPECT_EQ(bundle->size, size);
}

TEST_F(PublishBundleTest, ConfigJsonIsRequired) {
  fs::remove(dir_ / "config.json");
  auto missing = read_publish_bundle(dir_, true);
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, ExitCode::kNotFound);
  EXPECT_NE(missing.error().hint.find("'lmp init' writes one"), std::string::npos);
  write("config.json", R"({"name":"demo","version":"1.0.0"})");
  auto incomplete = read_publish_bundle(dir_, true);
  ASSERT_FALSE(incomplete);
  EXPECT_EQ(incomplete.error().code, ExitCode::kBadPackage);
  EXPECT_NE(incomplete.error().message.find("config.json"), std::string::npos);
}

TEST_F(PublishBundleTest, NeedsAPackageOrAnAppWasm) {
  fs::remove(dir_ / "app.wasm");
  auto json_only = read_publish_bundle(dir_, false);
  ASSERT_TRUE(json_only) << json_only.error().message;
  EXPECT_EQ(names(*json_only), (std::vector<std::string>{"config.json", "package.json"}));
  fs::remove(dir_ / "package.json");
  auto nothing = read_publish_bundle(dir_, false);
  ASSERT_FALSE(nothing);
  EXPECT_EQ(nothing.error().code, ExitCode::kNotFound);
  EXPECT_NE(nothing.error().hint.find("lmp build"), std::string::npos);
}

TEST_F(PublishBundleTest, YamlIsSentAsJson) {
  auto pkg = package::read_package_file(dir_ / "package.json");
  ASSERT_TRUE(pkg);
  write("package.yaml", package::write_package_yaml(*pkg));
  fs::remove(dir_ / "package.json");
  auto bundle = read_publish_bundle(dir_, false);
  ASSERT_TRUE(bundle) << bundle.error().message;
  auto sent = package::parse_package(bundle->files.back().content);
  EXPECT_EQ(bundle->files.back().name, "package.json");
  ASSERT_TRUE(sent);
  EXPECT_EQ(*sent, *pkg);
}

TEST_F(PublishBundleTest, StalePackageJsonIsRefused) {
  write("demo.bpf.c", "// source");
  write("demo.skel.h", "// generated after lmp build");
  age("package.json", 10);
  age("app.wasm", 10);
  age("demo.bpf.c", 20);
  ASSERT_TRUE(read_publish_bundle(dir_, false));  // generated headers do not count

  write("demo.h", "// edited after the build");
  auto stale = read_publish_bundle(dir_, false);
  ASSERT_FALSE(stale);
  EXPECT_EQ(stale.error().code, ExitCode::kBadPackage);
  EXPECT_EQ(stale.error().message, "package.json is older than demo.h: the build is stale");
  EXPECT_NE(stale.error().hint.find("run 'lmp build'"), std::string::npos);
  EXPECT_TRUE(read_publish_bundle(dir_, true));
}

TEST_F(PublishBundleTest, StaleAppWasmIsRefused) {
  write("app.c", "int main() {}");
  age("app.wasm", 10);
  auto stale = read_publish_bundle(dir_, false);
  ASSERT_FALSE(stale);
  EXPECT_EQ(stale.error().message, "app.wasm is older than app.c: the build is stale");
  EXPECT_NE(stale.error().hint.find("run 'lmp build-wasm'"), std::string::npos);
}

TEST_F(PublishBundleTest, AppWasmMustEmbedThePackagesObject) {
  auto other = fake_bpf_elf(300);
  write("package.json",
        package::testing::package_json(other, package::testing::minimal_meta()).dump());
  auto stale = read_publish_bundle(dir_, false);
  ASSERT_FALSE(stale);
  EXPECT_EQ(stale.error().code, ExitCode::kBadPackage);
  EXPECT_NE(stale.error().message.find("app.wasm does not embed the eBPF object"),
            std::string::npos);
  EXPECT_NE(stale.error().hint.find("lmp gen-wasm-skel"), std::string::npos);
  EXPECT_TRUE(read_publish_bundle(dir_, true));
}

}  // namespace
}  // namespace lmp::registry
