#include "registry/dependencies.h"

#include <gtest/gtest.h>

#include "registry/digest.h"

namespace lmp::registry {
namespace {

using Deps = std::map<std::string, package::Dependency>;

// Packages in memory: name -> version -> its dependencies. Counts fetches.
class FakeSource : public DependencySource {
 public:
  void add(const std::string& name, const std::string& version, Deps deps = {}) {
    packages_[name][version] = std::move(deps);
  }
  Result<std::vector<std::string>> versions(const std::string& name) override {
    if (offline_) return fail(ExitCode::kNetwork, "offline");
    auto it = packages_.find(name);
    if (it == packages_.end()) return fail(ExitCode::kNotFound, "no package '" + name + "'");
    std::vector<std::string> out;
    for (const auto& [v, _] : it->second) out.push_back(v);
    return out;
  }
  Result<DependencyPackage> fetch(const std::string& name, const std::string& version,
                                  const package::Dependency& dep, const LockedPackage*) override {
    ++fetches;
    DependencyPackage p;
    p.name = name;
    p.version = version;
    p.source = "fake://repo";
    if (!dep.url.empty()) {  // a URL holds one version: the highest added
      p.version = packages_.at(name).rbegin()->first;
      p.kind = SourceKind::kUrl;
      p.source = dep.url;
    }
    p.main_file = "/cache/" + name + "/" + version + "/package.json";
    p.sha256 = sha256_hex(name + version + tamper_);
    p.dependencies = packages_.at(name).at(p.version);
    return p;
  }
  int fetches = 0;
  bool offline_ = false;
  std::string tamper_;

 private:
  std::map<std::string, std::map<std::string, Deps>> packages_;
};

package::Config root_with(Deps deps) {
  package::Config root;
  root.name = "suite";
  root.version = "1.0.0";
  root.dependencies = std::move(deps);
  return root;
}

package::Dependency range(const char* text) {
  package::Dependency dep;
  dep.range = text;
  return dep;
}

TEST(Dependencies, PicksTheHighestSatisfyingVersionInDependencyOrder) {
  FakeSource source;
  source.add("sigsnoop", "0.1.0");
  source.add("sigsnoop", "0.1.4");
  source.add("sigsnoop", "0.2.0");
  source.add("opensnoop", "1.0.0", {{"sigsnoop", range("^0.1")}});
  auto resolved = resolve_dependencies(root_with({{"opensnoop", range("^1")}}), source);
  ASSERT_TRUE(resolved) << resolved.error().message;
  ASSERT_EQ(resolved->packages.size(), 2u);
  EXPECT_EQ(resolved->packages[0].name, "sigsnoop");
  EXPECT_EQ(resolved->packages[0].version, "0.1.4");
  EXPECT_EQ(resolved->packages[0].required_by, std::vector<std::string>{"opensnoop"});
  EXPECT_EQ(resolved->packages[1].name, "opensnoop");
  EXPECT_EQ(resolved->packages[1].required_by, std::vector<std::string>{"suite"});
  EXPECT_EQ(render_dependency_tree(root_with({{"opensnoop", range("^1")}}), *resolved),
            "opensnoop ^1 -> 1.0.0\n  sigsnoop ^0.1 -> 0.1.4\n");
}

TEST(Dependencies, DiamondTakesTheHighestVersionEveryRangeAllows) {
  FakeSource source;
  for (const char* v : {"1.0.0", "1.2.0", "1.5.0", "2.0.0"}) source.add("base", v);
  source.add("left", "1.0.0", {{"base", range(">=1.2")}});
  source.add("right", "1.0.0", {{"base", range("~1.2")}});
  auto root = root_with({{"left", range("*")}, {"right", range("*")}});
  auto resolved = resolve_dependencies(root, source);
  ASSERT_TRUE(resolved) << resolved.error().message;
  ASSERT_EQ(resolved->packages.size(), 3u);
  EXPECT_EQ(resolved->packages[0].name, "base");
  EXPECT_EQ(resolved->packages[0].version, "1.2.0");
  EXPECT_EQ(resolved->packages[0].required_by, (std::vector<std::string>{"left", "right"}));
}

TEST(Dependencies, ConflictNamesWhoWantsWhat) {
  FakeSource source;
  source.add("sigsnoop", "1.3.0");
  source.add("sigsnoop", "2.1.0");
  source.add("opensnoop", "1.0.0", {{"sigsnoop", range("^1.0")}});
  source.add("execsnoop", "1.0.0", {{"sigsnoop", range("^2.0")}});
  auto resolved = resolve_dependencies(
      root_with({{"opensnoop", range("1")}, {"execsnoop", range("1")}}), source);
  ASSERT_FALSE(resolved);
  EXPECT_EQ(resolved.error().code, ExitCode::kBadPackage);
  EXPECT_EQ(resolved.error().message,
            "sigsnoop: no version satisfies every range: execsnoop wants ^2.0, opensnoop wants "
            "^1.0 (available: 2.1.0, 1.3.0)");
}

TEST(Dependencies, NoVersionInRange) {
  FakeSource source;
  source.add("sigsnoop", "1.3.0");
  auto resolved = resolve_dependencies(root_with({{"sigsnoop", range("^3")}}), source);
  ASSERT_FALSE(resolved);
  EXPECT_EQ(resolved.error().code, ExitCode::kNotFound);
  EXPECT_EQ(resolved.error().message,
            "sigsnoop: no version satisfies ^3 (wanted by suite; available: 1.3.0)");
}

TEST(Dependencies, CycleIsReportedWithItsPath) {
  FakeSource source;
  source.add("a", "1.0.0", {{"b", range("*")}});
  source.add("b", "1.0.0", {{"a", range("*")}});
  auto resolved = resolve_dependencies(root_with({{"a", range("*")}}), source);
  ASSERT_FALSE(resolved);
  EXPECT_EQ(resolved.error().code, ExitCode::kBadPackage);
  EXPECT_EQ(resolved.error().message, "dependency cycle: a -> b -> a");

  FakeSource back;
  back.add("a", "1.0.0", {{"suite", range("*")}});
  resolved = resolve_dependencies(root_with({{"a", range("*")}}), back);
  ASSERT_FALSE(resolved);
  EXPECT_EQ(resolved.error().message, "dependency cycle: suite -> a -> suite");
}

TEST(Dependencies, BadRangeNamesTheField) {
  FakeSource source;
  source.add("a", "1.0.0");
  auto resolved = resolve_dependencies(root_with({{"a", range("^1.x.2")}}), source);
  ASSERT_FALSE(resolved);
  EXPECT_EQ(resolved.error().code, ExitCode::kBadPackage);
  EXPECT_TRUE(
      resolved.error().message.starts_with("suite: config.json: dependencies.a: \"^1.x.2\""))
      << resolved.error().message;
}

TEST(Dependencies, UrlSourceIsCheckedAgainstTheRanges) {
  FakeSource source;
  source.add("x", "2.0.0");
  package::Dependency by_url = range("^2");
  by_url.url = "https://e.org/x/package.json";
  auto resolved = resolve_dependencies(root_with({{"x", by_url}}), source);
  ASSERT_TRUE(resolved) << resolved.error().message;
  EXPECT_EQ(resolved->packages[0].kind, SourceKind::kUrl);
  EXPECT_EQ(resolved->packages[0].version, "2.0.0");

  by_url.range = "^1";
  resolved = resolve_dependencies(root_with({{"x", by_url}}), source);
  ASSERT_FALSE(resolved);
  EXPECT_EQ(resolved.error().message,
            "x: https://e.org/x/package.json holds version 2.0.0, but suite wants ^1");

  source.add("y", "1.0.0", {{"x", range("*")}});
  by_url.range = "*";
  resolved = resolve_dependencies(root_with({{"x", by_url}, {"y", range("1")}}), source);
  ASSERT_FALSE(resolved);
  EXPECT_EQ(resolved.error().code, ExitCode::kBadPackage);
  EXPECT_NE(resolved.error().message.find("x: its sources disagree"), std::string::npos)
      << resolved.error().message;
}

TEST(Dependencies, LockPinsVersionsAndChecksDigests) {
  FakeSource source;
  source.add("a", "1.0.0");
  source.add("a", "1.1.0");
  auto root = root_with({{"a", range("^1")}});
  auto resolved = resolve_dependencies(root, source);
  ASSERT_TRUE(resolved);
  LockFile lock = make_lock(root, *resolved);
  ASSERT_EQ(lock.packages.size(), 1u);
  EXPECT_EQ(lock.packages[0].version, "1.1.0");
  EXPECT_EQ(lock.packages[0].file, "package.json");
  EXPECT_EQ(lock.packages[0].required_by, std::vector<std::string>{"suite"});

  lock.packages[0].version = "1.0.0";
  lock.packages[0].sha256 = sha256_hex("a1.0.0");
  source.offline_ = true;  // a locked package needs no version list
  resolved = resolve_dependencies(root, source, &lock);
  ASSERT_TRUE(resolved) << resolved.error().message;
  EXPECT_EQ(resolved->packages[0].version, "1.0.0");

  source.tamper_ = "x";
  resolved = resolve_dependencies(root, source, &lock);
  ASSERT_FALSE(resolved);
  EXPECT_EQ(resolved.error().code, ExitCode::kBadPackage);
  EXPECT_TRUE(resolved.error().message.starts_with("a: package.json has sha256 "))
      << resolved.error().message;

  // A lock for other dependencies is not used: resolution asks the source again.
  source.tamper_.clear();
  source.offline_ = false;
  auto changed = root_with({{"a", range("~1.1")}});
  resolved = resolve_dependencies(changed, source, &lock);
  ASSERT_TRUE(resolved) << resolved.error().message;
  EXPECT_EQ(resolved->packages[0].version, "1.1.0");
}

}  // namespace
}  // namespace lmp::registry
