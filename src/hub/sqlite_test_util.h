// Test helpers for the SQLite storage tests: a fresh database file in a temp directory with
// two users, and a compact way to build a version to publish.
#pragma once

// Tests write queries as PackageQuery{.text = "tcp"}; GCC 12 warns when a designated
// initializer leaves members to their defaults, which is the point here.
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "hub/sqlite_storage.h"

namespace lmp::hub::testing {

// A temp directory removed at the end of the test.
class TempDir {
 public:
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "lmp-hub-test-XXXXXX").string();
    if (::mkdtemp(tmpl.data())) path_ = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    if (!path_.empty()) std::filesystem::remove_all(path_, ec);
  }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

inline std::string fake_sha(char c) {
  return std::string(64, c);
}

struct VersionSpec {
  std::string description = "a tool";
  std::string category = "networking";
  std::vector<std::string> tags;
  std::vector<std::string> program_types = {"kprobe"};
  std::string readme;
  UnixTime published = 1700000000;
  std::vector<StoredFile> files = {{"app.wasm", fake_sha('a'), 10},
                                   {"config.json", fake_sha('c'), 20}};
};

inline NewVersion make_version(const std::string& package, const std::string& version,
                               VersionSpec spec = {}) {
  NewVersion v;
  VersionRecord& r = v.record;
  r.package = package;
  r.version = version;
  r.description = spec.description;
  r.summary = "summary of " + package;
  r.author = "Alice <alice@example.org>";
  r.license = "MIT";
  r.category = spec.category;
  r.homepage = "https://example.org/" + package;
  r.tags = spec.tags;
  r.program_types = spec.program_types;
  r.readme = spec.readme;
  r.details = R"({"programs":[]})";
  r.files = spec.files;
  r.published = spec.published;
  return v;
}

// A database file with users "alice" and "bob".
class StorageFixture : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_FALSE(dir_.path().empty());
    db_path_ = dir_.path() / "hub.db";
    auto opened = SqliteStorage::open(db_path_);
    ASSERT_TRUE(opened) << opened.error().message;
    storage_ = std::move(*opened);
    auto a = storage_->create_user("alice", "alice@example.org", "hash-a", true);
    auto b = storage_->create_user("bob", "", "hash-b", false);
    ASSERT_TRUE(a && b);
    alice_ = *a;
    bob_ = *b;
  }

  void publish_ok(const NewVersion& v, const User& by) {
    auto published = storage_->publish(v, by.id);
    ASSERT_TRUE(published) << published.error().message;
  }

  TempDir dir_;
  std::filesystem::path db_path_;
  std::unique_ptr<SqliteStorage> storage_;
  User alice_, bob_;
};

}  // namespace lmp::hub::testing
