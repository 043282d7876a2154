#include "registry/index.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "registry/digest.h"
#include "registry/repo_builder.h"
#include "registry/search.h"

namespace lmp::registry {
namespace {

std::string hex(char c) {
  return std::string(64, c);
}

TEST(Index, RoundTrip) {
  Index index;
  PackageEntry& p = index.packages["opensnoop"];
  p.name = "opensnoop";
  for (const char* v : {"1.0.0", "1.2.0", "1.10.0-rc.1"}) {
    VersionEntry e;
    e.version = v;
    e.description = "trace open()";
    e.tags = {"fs"};
    e.files = {{"app.wasm", hex('b'), 7}, {"package.json", hex('a'), 12}};
    p.versions[v] = e;
  }
  auto parsed = parse_index(write_index(index));
  ASSERT_TRUE(parsed) << parsed.error().message;
  EXPECT_EQ(*parsed, index);
  EXPECT_EQ(parsed->find("opensnoop")->latest()->version, "1.2.0");
  EXPECT_EQ(parsed->find("opensnoop")->find("1.0.0")->total_size(), 19u);
  EXPECT_EQ(parsed->find("opensnoop")->find("9.9.9"), nullptr);
  EXPECT_EQ(parsed->find("opensnoop")->sorted_versions().front(), "1.10.0-rc.1");
}

// A signed version lists lmp.sig among its files (docs/repositories.md): an index with it
// reads like any other (older lmp reads it too: it is a plain file name), one without it is
// an unsigned version.
TEST(Index, SignatureIsListedAmongTheFiles) {
  auto file = [](char digit, int size) {
    return nlohmann::json{{"sha256", hex(digit)}, {"size", size}};
  };
  nlohmann::json doc = {
      {"schema_version", 1},
      {"packages",
       {{"demo",
         {{"versions",
           {{"1.0.0", {{"files", {{"package.json", file('a', 10)}, {"lmp.sig", file('c', 512)}}}}},
            {"0.9.0", {{"files", {{"package.json", file('b', 9)}}}}}}}}}}}};
  std::string text = doc.dump();
  auto parsed = parse_index(text);
  ASSERT_TRUE(parsed) << parsed.error().message;
  const PackageEntry* demo = parsed->find("demo");
  ASSERT_TRUE(demo);
  const FileEntry* signature = demo->find("1.0.0")->file("lmp.sig");
  ASSERT_TRUE(signature);
  EXPECT_EQ(signature->sha256, hex('c'));
  EXPECT_EQ(signature->size, 512u);
  EXPECT_EQ(demo->find("1.0.0")->total_size(), 522u);
  EXPECT_EQ(demo->find("0.9.0")->file("lmp.sig"), nullptr);
  auto again = parse_index(write_index(*parsed));
  ASSERT_TRUE(again);
  EXPECT_EQ(*again, *parsed);
  EXPECT_NE(write_index(*parsed).find("\"lmp.sig\""), std::string::npos);
  // Its entry is checked like the others'.
  std::string bad = text;
  bad.replace(bad.find(hex('c')), 64, "not-a-digest");
  EXPECT_FALSE(parse_index(bad));
}

TEST(Index, YankedVersionsAreKeptButNeverLatest) {
  Index index;
  PackageEntry& p = index.packages["demo"];
  p.name = "demo";
  for (const char* v : {"1.0.0", "1.1.0", "2.0.0"}) {
    VersionEntry e;
    e.version = v;
    e.files = {{"package.json", hex('a'), 1}};
    e.yanked = std::string_view(v) == "2.0.0";
    p.versions[v] = e;
  }
  std::string text = write_index(index);
  auto parsed = parse_index(text);
  ASSERT_TRUE(parsed) << parsed.error().message;
  EXPECT_EQ(*parsed, index);
  const PackageEntry* demo = parsed->find("demo");
  EXPECT_TRUE(demo->find("2.0.0")->yanked);
  EXPECT_FALSE(demo->find("1.1.0")->yanked);
  EXPECT_EQ(demo->latest()->version, "1.1.0");
  EXPECT_EQ(demo->find("")->version, "1.1.0");
  EXPECT_EQ(demo->find("latest")->version, "1.1.0");
  EXPECT_EQ(demo->sorted_versions().front(), "2.0.0");  // listed, marked by the caller

  // Only a yanked version is written with the key, and "latest" skips it.
  auto json = nlohmann::json::parse(text);
  auto& versions = json["packages"]["demo"]["versions"];
  EXPECT_EQ(versions["2.0.0"]["yanked"], true);
  EXPECT_FALSE(versions["1.1.0"].contains("yanked"));
  EXPECT_EQ(json["packages"]["demo"]["latest"], "1.1.0");

  // Everything yanked: the name resolves to nothing and search does not list it.
  for (auto& [_, v] : index.packages["demo"].versions) v.yanked = true;
  EXPECT_EQ(index.find("demo")->latest(), nullptr);
  EXPECT_NE(index.find("demo")->find("1.0.0"), nullptr);
  EXPECT_TRUE(search({{"repo", &index}}, {"demo"}).empty());
  EXPECT_FALSE(nlohmann::json::parse(write_index(index))["packages"]["demo"].contains("latest"));
}

TEST(Index, YankedMustBeABoolean) {
  auto doc = [](const std::string& yanked) {
    return R"({"packages":{"a":{"versions":{"1.0.0":{"yanked":)" + yanked +
           R"(,"files":{"package.json":{"sha256":")" + hex('0') + R"(","size":1}}}}}}})";
  };
  auto yes = parse_index(doc("true"));
  ASSERT_TRUE(yes) << yes.error().message;
  EXPECT_TRUE(yes->find("a")->find("1.0.0")->yanked);
  EXPECT_FALSE(parse_index(doc("false"))->find("a")->find("1.0.0")->yanked);
  EXPECT_FALSE(parse_index(doc("null"))->find("a")->find("1.0.0")->yanked);
  auto bad = parse_index(doc("\"yes\""));
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, ExitCode::kBadPackage);
  EXPECT_NE(bad.error().message.find("packages.a.versions.1.0.0.yanked"), std::string::npos);
}

TEST(Index, RejectsUnsafeOrMalformed) {
  auto doc = [](const std::string& name, const std::string& version, const std::string& file,
                const std::string& sha) {
    return R"({"packages":{")" + name + R"(":{"versions":{")" + version + R"(":{"files":{")" +
           file + R"(":{"sha256":")" + sha + R"(","size":1}}}}}}})";
  };
  EXPECT_TRUE(parse_index(doc("a", "1.0.0", "package.json", hex('0'))));
  EXPECT_FALSE(parse_index(doc("../a", "1.0.0", "package.json", hex('0'))));
  EXPECT_FALSE(parse_index(doc("a", "../1", "package.json", hex('0'))));
  EXPECT_FALSE(parse_index(doc("a", "1.0.0", "../x", hex('0'))));
  EXPECT_FALSE(parse_index(doc("a", "1.0.0", ".hidden", hex('0'))));
  EXPECT_FALSE(parse_index(doc("a", "1.0.0", "package.json", "abc")));
  EXPECT_FALSE(parse_index("{"));
  EXPECT_FALSE(parse_index(R"({"schema_version":2,"packages":{}})"));
  auto bad = parse_index(doc("a", "1.0.0", "package.json", "abc"));
  EXPECT_EQ(bad.error().code, ExitCode::kBadPackage);
  EXPECT_NE(bad.error().message.find("packages.a.versions.1.0.0.files.package.json.sha256"),
            std::string::npos);
}

TEST(Index, SearchRanking) {
  Index index;
  auto add = [&](const std::string& name, const std::string& summary,
                 std::vector<std::string> tags) {
    VersionEntry v;
    v.version = "1.0.0";
    v.summary = summary;
    v.tags = std::move(tags);
    v.files = {{"package.json", hex('a'), 1}};
    index.packages[name] = PackageEntry{name, {{"1.0.0", v}}};
  };
  add("open", "", {});
  add("opensnoop", "", {});
  add("fsopen", "", {});
  add("fstrace", "", {"open"});
  add("other", "watches open files", {});
  add("unrelated", "", {});
  auto hits = search({{"repo", &index}}, {"OPEN"});
  std::vector<std::string> names;
  for (const auto& h : hits) names.push_back(h.name);
  EXPECT_EQ(names, (std::vector<std::string>{"open", "opensnoop", "fsopen", "fstrace", "other"}));
  EXPECT_EQ(search({{"repo", &index}}, {"open", "files"}).size(), 1u);
  EXPECT_EQ(closest_names("opensnop", {"opensnoop", "execsnoop", "x"}),
            std::vector<std::string>{"opensnoop"});
}

TEST(Index, ReadmeSummary) {
  EXPECT_EQ(readme_summary("---\ntitle: x\nsummary: \"trace opens\"\n---\nbody"), "trace opens");
  EXPECT_EQ(readme_summary("# no front matter\nsummary: x\n"), "");
}

TEST(Digest, Sha256) {
  EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_TRUE(is_sha256_hex(sha256_hex("")));
}

// Past 1 MiB the digest moves from libsodium to libcrypto; both must agree with sha256sum
// however the input is split, and a moved-from hasher must carry its state.
TEST(Digest, Sha256LargeInputsAndChunking) {
  const std::string a(4'000'000, 'a');
  const std::string expected = "437f326a498e437cbf8b95fed6c48661a622cca6a575bb57b4b04a582e711f24";
  EXPECT_EQ(sha256_hex(a), expected);
  for (std::size_t chunk :
       {std::size_t{1000}, std::size_t{65536}, std::size_t{1} << 20, std::size_t{3'000'000}}) {
    Sha256 h;
    for (std::size_t i = 0; i < a.size(); i += chunk)
      h.update(std::string_view(a).substr(i, chunk));
    Sha256 moved = std::move(h);
    EXPECT_EQ(moved.finish(), expected) << "chunk " << chunk;
  }
  EXPECT_EQ(sha256_hex(std::string(1'000'000, 'a')),
            "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

}  // namespace
}  // namespace lmp::registry
