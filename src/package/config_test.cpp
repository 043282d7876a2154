#include "package/config.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

namespace lmp::package {
namespace {

using nlohmann::json;

json valid_config() {
  return {{"name", "opensnoop"},
          {"version", "1.2.0"},
          {"author", "LMP developers"},
          {"description", "Trace open() calls"}};
}

std::string error_of_config(const json& doc) {
  auto r = parse_config(doc.dump());
  if (r) return "(parsed fine)";
  EXPECT_EQ(r.error().code, ExitCode::kBadPackage);
  return r.error().message;
}

Dependency dependency(std::string range, std::string url = "", std::string oci = "") {
  Dependency dep;
  dep.range = std::move(range);
  dep.url = std::move(url);
  dep.oci = std::move(oci);
  return dep;
}

TEST(ConfigTest, ParsesRequiredAndOptionalFields) {
  json doc = valid_config();
  doc["license"] = "GPL-2.0";
  doc["category"] = "filesystem";
  doc["homepage"] = "https://example.org/opensnoop";
  doc["tags"] = {"fs", "syscalls"};
  doc["dependencies"] = {{"libfoo", "^1.0.0"},
                         {"bar", {{"version", "~0.2"}, {"url", "https://example.org/bar.json"}}},
                         {"baz", {{"version", "*"}, {"oci", "ghcr.io/org/baz:1"}}},
                         {"qux",
                          {{"version", "^1"},
                           {"git", "https://example.org/tools.git"},
                           {"tag", "v1.0.0"},
                           {"path", "tools/qux"}}}};
  doc["unknown"] = 1;
  auto r = parse_config(doc.dump());
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->name, "opensnoop");
  EXPECT_EQ(r->version, "1.2.0");
  EXPECT_EQ(r->author, "LMP developers");
  EXPECT_EQ(r->description, "Trace open() calls");
  EXPECT_EQ(r->license, "GPL-2.0");
  EXPECT_EQ(r->category, "filesystem");
  EXPECT_EQ(r->homepage, "https://example.org/opensnoop");
  EXPECT_EQ(r->tags, (std::vector<std::string>{"fs", "syscalls"}));
  EXPECT_EQ(r->dependencies.at("libfoo"), dependency("^1.0.0"));
  EXPECT_EQ(r->dependencies.at("bar"), dependency("~0.2", "https://example.org/bar.json"));
  EXPECT_EQ(r->dependencies.at("baz"), dependency("*", "", "ghcr.io/org/baz:1"));
  EXPECT_EQ(r->dependencies.at("qux").source(), "https://example.org/tools.git#v1.0.0:tools/qux");
  doc.erase("unknown");
  EXPECT_EQ(to_json(*r), doc);
  auto again = parse_config(to_json(*r).dump());
  ASSERT_TRUE(again);
  EXPECT_EQ(to_json(*again), doc);
}

TEST(ConfigTest, ToJsonOmitsEmptyOptionalFields) {
  auto r = parse_config(valid_config().dump());
  ASSERT_TRUE(r);
  EXPECT_EQ(to_json(*r), valid_config());
}

TEST(ConfigTest, HugeNumbersAreAnErrorNotACrash) {
  auto parsed = parse_config(R"({"name": "x", "version": "1.0.0", "n": 1e999})");
  ASSERT_FALSE(parsed);
  EXPECT_EQ(parsed.error().code, ExitCode::kBadPackage);
  EXPECT_NE(parsed.error().message.find("invalid JSON"), std::string::npos);
}

TEST(ConfigTest, FieldErrors) {
  auto with = [](const char* key, json value) {
    json doc = valid_config();
    doc[key] = std::move(value);
    return doc;
  };
  auto without = [](const char* key) {
    json doc = valid_config();
    doc.erase(key);
    return doc;
  };
  EXPECT_EQ(error_of_config(with("version", "1.x")),
            "config.json: version: \"1.x\" is not a semantic version (e.g. 1.0.0)");
  EXPECT_EQ(error_of_config(with("name", "Open Snoop")),
            "config.json: name: \"Open Snoop\" is not a valid package name (1 to 64 of a-z, 0-9, "
            "'.', '_', '-', starting with a letter or digit)");
  EXPECT_EQ(error_of_config(without("name")),
            "config.json: name: missing, expected a non-empty string");
  EXPECT_EQ(error_of_config(with("author", "")),
            "config.json: author: expected a non-empty string");
  EXPECT_EQ(error_of_config(with("description", 3)),
            "config.json: description: expected a non-empty string");
  EXPECT_EQ(error_of_config(without("description")),
            "config.json: description: missing, expected a non-empty string");
  EXPECT_EQ(error_of_config(with("license", 1)), "config.json: license: expected a string");
  EXPECT_EQ(error_of_config(with("homepage", json::array())),
            "config.json: homepage: expected a string");
  EXPECT_EQ(error_of_config(with("tags", "fs")), "config.json: tags: expected an array");
  EXPECT_EQ(error_of_config(with("tags", {"fs", 2})), "config.json: tags[1]: expected a string");
  EXPECT_EQ(error_of_config(with("dependencies", {1})),
            "config.json: dependencies: expected an object");
  EXPECT_EQ(error_of_config(with("dependencies", {{"foo", 1}})),
            "config.json: dependencies.foo: expected a version range string or an object "
            "{\"version\", \"url\" | \"oci\" | \"git\" + \"tag\"}");
  EXPECT_EQ(error_of_config(with("dependencies", {{"foo", {{"range", "1"}}}})),
            "config.json: dependencies.foo.range: unknown key, expected one of version, url, oci, "
            "git, tag, path");
  EXPECT_EQ(error_of_config(with("dependencies", {{"foo", {{"version", 1}}}})),
            "config.json: dependencies.foo.version: expected a string");
  EXPECT_EQ(
      error_of_config(
          with("dependencies", {{"foo", {{"url", "https://x/p.json"}, {"oci", "a.b/c"}}}})),
      "config.json: dependencies.foo: has more than one of url, oci and git; a dependency has "
      "one source");
  auto git = [&](json fields) { return with("dependencies", {{"foo", fields}}); };
  EXPECT_EQ(error_of_config(git({{"git", "https://x/t.git"}})),
            "config.json: dependencies.foo.tag: missing: a git dependency names the tag to check "
            "out");
  EXPECT_EQ(error_of_config(git({{"git", "--upload-pack=x"}, {"tag", "v1"}})),
            "config.json: dependencies.foo.git: expected a repository URL or path (not starting "
            "with '-', no '#')");
  EXPECT_EQ(error_of_config(git({{"git", "https://x/t.git"}, {"tag", "-b"}})),
            "config.json: dependencies.foo.tag: expected a git tag name");
  EXPECT_EQ(error_of_config(git({{"git", "https://x/t.git"}, {"tag", "v1"}, {"path", "../up"}})),
            "config.json: dependencies.foo.path: expected a relative directory inside the "
            "repository");
  EXPECT_EQ(error_of_config(git({{"tag", "v1"}})),
            "config.json: dependencies.foo: has a tag or path but no git repository");
  std::string url, tag, path;
  EXPECT_TRUE(parse_git_source_text("file:///r#v1:a/b", url, tag, path));
  EXPECT_EQ(url + "|" + tag + "|" + path, "file:///r|v1|a/b");
  EXPECT_TRUE(parse_git_source_text("https://h:8/r#v2", url, tag, path));
  EXPECT_EQ(url + "|" + tag + "|" + path, "https://h:8/r|v2|");
  EXPECT_FALSE(parse_git_source_text("https://h/r", url, tag, path));
  EXPECT_EQ(error_of_config(with("dependencies", {{"Foo", "1.0.0"}})),
            "config.json: dependencies.Foo: is not a valid package name");
  EXPECT_EQ(error_of_config(json::array()), "config.json: expected a JSON object");
  EXPECT_TRUE(parse_config("{\"name\": ")
                  .error()
                  .message.starts_with("config.json: truncated or invalid JSON at byte "));
}

TEST(ConfigTest, PackageNames) {
  for (const char* ok : {"a", "0", "opensnoop", "tcp-states", "lib.bpf_x", "9x"}) {
    EXPECT_TRUE(is_valid_package_name(ok)) << ok;
  }
  EXPECT_TRUE(is_valid_package_name(std::string(64, 'a')));
  EXPECT_FALSE(is_valid_package_name(std::string(65, 'a')));
  for (const char* bad : {"", "-a", ".a", "_a", "A", "aB", "a b", "a/b", "a:b", "é"}) {
    EXPECT_FALSE(is_valid_package_name(bad)) << bad;
  }
}

TEST(ConfigTest, SemanticVersions) {
  for (const char* ok :
       {"0.0.0", "1.2.3", "10.20.30", "1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-0.3.7",
        "1.0.0-x.7.z.92", "1.0.0-x-y-z.--", "1.0.0+20130313144700", "1.0.0-beta+exp.sha.5114f85",
        "1.0.0+21AF26D3----117B344092BD", "1.0.0+001", "1.0.0-rc.1+build.1"}) {
    EXPECT_TRUE(is_valid_semver(ok)) << ok;
  }
  for (const char* bad :
       {"",          "1",      "1.2",    "1.2.3.4",  "01.2.3",     "1.02.3",     "1.2.03",
        "v1.2.3",    "1.2.3-", "1.2.3+", "1.2.3-01", "1.2.3-a..b", "1.2.3+a..b", "1.x.0",
        "1.2.3-a_b", " 1.2.3", "1.2.3 ", "-1.2.3",   "1..3",       "1.2.3-+a"}) {
    EXPECT_FALSE(is_valid_semver(bad)) << bad;
  }
}

TEST(ConfigTest, ReadConfigFileNamesThePath) {
  auto dir = std::filesystem::temp_directory_path() / "lmp_config_test";
  std::filesystem::create_directories(dir);
  auto path = dir / "config.json";
  json doc = valid_config();
  doc["version"] = "latest";
  std::ofstream(path) << doc.dump();
  auto r = read_config_file(path);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message,
            path.string() + ": version: \"latest\" is not a semantic version (e.g. 1.0.0)");
  std::ofstream(path) << valid_config().dump();
  ASSERT_TRUE(read_config_file(path));
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace lmp::package
