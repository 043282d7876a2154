// Test helpers of the hub's publish and server tests: a data directory with storage, blobs
// and two users, and the files of a valid version.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "hub/blob_store.h"
#include "hub/sqlite_storage.h"
#include "hub/sqlite_test_util.h"
#include "package/test_objects.h"

namespace lmp::hub::testing {

inline std::string config_text(const std::string& name, const std::string& version) {
  return nlohmann::json{{"name", name},
                        {"version", version},
                        {"author", "Alice"},
                        {"description", "a test tool"},
                        {"category", "scheduler"},
                        {"tags", {"latency"}}}
      .dump();
}

// package.json, config.json and README.md of NAME VERSION.
inline std::map<std::string, std::string> version_files(const std::string& name,
                                                        const std::string& version) {
  using namespace lmp::package::testing;
  return {
      {"package.json", lmp::package::testing::package_json(fake_bpf_elf(32), full_meta()).dump()},
      {"config.json", config_text(name, version)},
      {"README.md", "---\nsummary: \"measures things\"\n---\n# " + name + "\n"}};
}

// DIR with hub.db (users alice, an admin, and bob) and blobs.
class HubFixture : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_FALSE(dir_.path().empty());
    auto opened = SqliteStorage::open(dir_.path() / "hub.db");
    ASSERT_TRUE(opened) << opened.error().message;
    storage_ = std::move(*opened);
    auto blobs = BlobStore::open(dir_.path());
    ASSERT_TRUE(blobs) << blobs.error().message;
    blobs_.emplace(std::move(*blobs));
    auto a = storage_->create_user("alice", "", "hash-a", true);
    auto b = storage_->create_user("bob", "", "hash-b", false);
    ASSERT_TRUE(a && b);
    alice_ = *a;
    bob_ = *b;
  }

  std::size_t blob_count() const {
    std::error_code ec;
    std::size_t n = 0;
    for (auto it = std::filesystem::directory_iterator(dir_.path() / "blobs" / "sha256", ec);
         !ec && it != std::filesystem::directory_iterator(); ++it)
      ++n;
    return n;
  }

  TempDir dir_;
  std::unique_ptr<SqliteStorage> storage_;
  std::optional<BlobStore> blobs_;
  User alice_, bob_;
};

}  // namespace lmp::hub::testing
