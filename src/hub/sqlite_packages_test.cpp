#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "hub/sqlite_storage.h"
#include "hub/sqlite_test_util.h"

namespace lmp::hub {
namespace {

using testing::fake_sha;
using testing::make_version;
using testing::VersionSpec;
using SqlitePackagesTest = testing::StorageFixture;

TEST_F(SqlitePackagesTest, PublishRoundTripsEveryField) {
  VersionSpec spec;
  spec.tags = {"tcp", "latency"};
  spec.program_types = {"kprobe", "tracepoint"};
  spec.readme = "# tcpstat\n";
  NewVersion v = make_version("tcpstat", "1.0.0", spec);
  v.record.yanked = true;     // ignored
  v.record.downloads = 1000;  // ignored
  publish_ok(v, alice_);

  auto record = storage_->package("tcpstat", 0);
  ASSERT_TRUE(record && *record);
  const PackageRecord& p = **record;
  EXPECT_EQ(p.name, "tcpstat");
  EXPECT_EQ(p.owners, std::vector<std::string>{"alice"});
  EXPECT_EQ(p.created, spec.published);
  EXPECT_EQ(p.updated, spec.published);
  ASSERT_EQ(p.versions.size(), 1u);
  const VersionRecord& r = p.versions[0];
  EXPECT_EQ(r.package, "tcpstat");
  EXPECT_EQ(r.version, "1.0.0");
  EXPECT_EQ(r.description, v.record.description);
  EXPECT_EQ(r.summary, v.record.summary);
  EXPECT_EQ(r.author, v.record.author);
  EXPECT_EQ(r.license, "MIT");
  EXPECT_EQ(r.category, "networking");
  EXPECT_EQ(r.homepage, v.record.homepage);
  EXPECT_EQ(r.tags, spec.tags);
  EXPECT_EQ(r.program_types, spec.program_types);
  EXPECT_EQ(r.readme, "# tcpstat\n");
  EXPECT_EQ(r.details, v.record.details);
  EXPECT_EQ(r.publisher, "alice");
  EXPECT_EQ(r.published, spec.published);
  EXPECT_FALSE(r.yanked);
  EXPECT_EQ(r.downloads, 0);
  ASSERT_EQ(r.files.size(), 2u);
  EXPECT_EQ(r.files[0].name, "app.wasm");
  EXPECT_EQ(r.files[0].sha256, fake_sha('a'));
  EXPECT_EQ(r.files[0].size, 10u);
  EXPECT_EQ(r.files[1].name, "config.json");

  EXPECT_FALSE(*storage_->package("missing", 0));
}

TEST_F(SqlitePackagesTest, VersionsAreImmutable) {
  publish_ok(make_version("tcpstat", "1.0.0"), alice_);
  auto again = storage_->publish(make_version("tcpstat", "1.0.0"), alice_.id);
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, ExitCode::kConflict);
  EXPECT_EQ(again.error().message, "tcpstat 1.0.0 exists already; versions are immutable");
  EXPECT_NE(again.error().hint.find("bump the version"), std::string::npos);
}

TEST_F(SqlitePackagesTest, OnlyOwnersPublish) {
  publish_ok(make_version("tcpstat", "1.0.0"), alice_);
  auto by_bob = storage_->publish(make_version("tcpstat", "1.1.0"), bob_.id);
  ASSERT_FALSE(by_bob);
  EXPECT_EQ(by_bob.error().code, ExitCode::kPermission);
  EXPECT_EQ(by_bob.error().message, "you are not an owner of tcpstat");
  // Nothing of the refused publish remains.
  EXPECT_EQ((*storage_->package("tcpstat", 0))->versions.size(), 1u);

  ASSERT_TRUE(storage_->add_owner("tcpstat", "bob"));
  publish_ok(make_version("tcpstat", "1.1.0"), bob_);
  auto record = *storage_->package("tcpstat", 0);
  EXPECT_EQ(record->owners, (std::vector<std::string>{"alice", "bob"}));
  EXPECT_EQ(record->versions[0].publisher, "bob");

  auto unknown = storage_->publish(make_version("other", "1.0.0"), 9999);
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().code, ExitCode::kNotFound);
}

// Two threads, each with its own connection and a shared one, race to publish the same
// versions: for every version exactly one wins and the other gets the immutability conflict.
TEST_F(SqlitePackagesTest, ConcurrentPublishesOfOneVersionHaveOneWinner) {
  auto second = SqliteStorage::open(db_path_);
  ASSERT_TRUE(second) << second.error().message;
  constexpr int kVersions = 20;
  Storage* connections[] = {storage_.get(), second->get()};
  for (int round = 0; round < 2; ++round) {
    std::atomic<int> successes{0}, conflicts{0}, others{0};
    std::atomic<int> ready{0};
    auto race = [&](int thread) {
      // Round 0: both threads on one connection (the mutex); round 1: two connections
      // (SQLite's write lock).
      Storage& s = *connections[round == 0 ? 0 : thread];
      ready++;
      while (ready.load() < 2) {
      }
      for (int i = 0; i < kVersions; ++i) {
        std::string version = std::to_string(round + 1) + "." + std::to_string(i) + ".0";
        auto r = s.publish(make_version("racer", version), alice_.id);
        if (r) {
          successes++;
        } else if (r.error().code == ExitCode::kConflict &&
                   r.error().message ==
                       "racer " + version + " exists already; versions are immutable") {
          conflicts++;
        } else {
          others++;
          ADD_FAILURE() << r.error().message;
        }
      }
    };
    std::thread a(race, 0), b(race, 1);
    a.join();
    b.join();
    EXPECT_EQ(successes.load(), kVersions) << "round " << round;
    EXPECT_EQ(conflicts.load(), kVersions) << "round " << round;
    EXPECT_EQ(others.load(), 0);
  }
  EXPECT_EQ((*storage_->package("racer", 0))->versions.size(), 2u * kVersions);
}

TEST_F(SqlitePackagesTest, YankedVersionsAreNeverLatest) {
  publish_ok(make_version("tcpstat", "1.0.0"), alice_);
  publish_ok(make_version("tcpstat", "1.1.0"), alice_);
  auto generation = *storage_->index_generation();

  ASSERT_TRUE(storage_->set_yanked("tcpstat", "1.1.0", true));
  EXPECT_GT(*storage_->index_generation(), generation);
  auto index = storage_->index();
  ASSERT_TRUE(index);
  const auto* package = index->find("tcpstat");
  ASSERT_NE(package, nullptr);
  EXPECT_TRUE(package->versions.at("1.1.0").yanked);
  ASSERT_NE(package->latest(), nullptr);
  EXPECT_EQ(package->latest()->version, "1.0.0");
  auto page = storage_->list_packages({}, 0);
  ASSERT_TRUE(page);
  ASSERT_EQ(page->packages.size(), 1u);
  EXPECT_EQ(page->packages[0].latest, "1.0.0");

  // All yanked: the package drops out of listings and search but stays readable.
  ASSERT_TRUE(storage_->set_yanked("tcpstat", "1.0.0", true));
  EXPECT_EQ(storage_->list_packages({}, 0)->total, 0);
  EXPECT_EQ(storage_->list_packages(PackageQuery{.text = "tcpstat"}, 0)->total, 0);
  EXPECT_EQ((*storage_->package("tcpstat", 0))->versions.size(), 2u);
  EXPECT_EQ(storage_->index()->find("tcpstat")->latest(), nullptr);

  generation = *storage_->index_generation();
  ASSERT_TRUE(storage_->set_yanked("tcpstat", "1.1.0", false));
  EXPECT_GT(*storage_->index_generation(), generation);
  EXPECT_EQ(storage_->list_packages(PackageQuery{.text = "tcpstat"}, 0)->packages.at(0).latest,
            "1.1.0");

  EXPECT_EQ(storage_->set_yanked("tcpstat", "9.9.9", true).error().code, ExitCode::kNotFound);
  EXPECT_EQ(storage_->set_yanked("nope", "1.0.0", true).error().code, ExitCode::kNotFound);
}

TEST_F(SqlitePackagesTest, VersionsSortHighestFirst) {
  publish_ok(make_version("tcpstat", "1.9.0"), alice_);
  publish_ok(make_version("tcpstat", "1.10.0"), alice_);
  publish_ok(make_version("tcpstat", "2.0.0-rc.1"), alice_);
  auto record = *storage_->package("tcpstat", 0);
  ASSERT_EQ(record->versions.size(), 3u);
  EXPECT_EQ(record->versions[0].version, "2.0.0-rc.1");
  EXPECT_EQ(record->versions[1].version, "1.10.0");
  EXPECT_EQ(record->versions[2].version, "1.9.0");
  // A release outranks a newer prerelease as latest.
  EXPECT_EQ(storage_->list_packages({}, 0)->packages.at(0).latest, "1.10.0");
}

TEST_F(SqlitePackagesTest, Owners) {
  publish_ok(make_version("tcpstat", "1.0.0"), alice_);
  EXPECT_TRUE(*storage_->is_owner("tcpstat", alice_.id));
  EXPECT_FALSE(*storage_->is_owner("tcpstat", bob_.id));
  EXPECT_EQ(storage_->is_owner("nope", alice_.id).error().code, ExitCode::kNotFound);

  ASSERT_TRUE(storage_->add_owner("tcpstat", "bob"));
  EXPECT_TRUE(*storage_->is_owner("tcpstat", bob_.id));
  EXPECT_EQ(storage_->add_owner("tcpstat", "bob").error().code, ExitCode::kConflict);
  EXPECT_EQ(storage_->add_owner("tcpstat", "carol").error().code, ExitCode::kNotFound);
  EXPECT_EQ(storage_->add_owner("nope", "bob").error().code, ExitCode::kNotFound);

  ASSERT_TRUE(storage_->remove_owner("tcpstat", "alice"));
  EXPECT_EQ((*storage_->package("tcpstat", 0))->owners, std::vector<std::string>{"bob"});
  auto last = storage_->remove_owner("tcpstat", "bob");
  ASSERT_FALSE(last);
  EXPECT_EQ(last.error().code, ExitCode::kConflict);
  EXPECT_EQ(last.error().message, "bob is the last owner of tcpstat");
  EXPECT_TRUE(*storage_->is_owner("tcpstat", bob_.id));
  EXPECT_EQ(storage_->remove_owner("tcpstat", "alice").error().code, ExitCode::kNotFound);
  EXPECT_EQ(storage_->remove_owner("tcpstat", "carol").error().code, ExitCode::kNotFound);
}

TEST_F(SqlitePackagesTest, IndexListsEveryVersionWithFiles) {
  publish_ok(make_version("tcpstat", "1.0.0"), alice_);
  VersionSpec with_json;
  with_json.files = {{"package.json", fake_sha('b'), 30}, {"README.md", fake_sha('d'), 5}};
  with_json.tags = {"tcp"};
  publish_ok(make_version("tcpstat", "1.1.0", with_json), alice_);
  publish_ok(make_version("biolatency", "0.1.0"), bob_);

  auto index = storage_->index();
  ASSERT_TRUE(index);
  ASSERT_EQ(index->packages.size(), 2u);
  const auto& tcp = index->packages.at("tcpstat");
  EXPECT_EQ(tcp.name, "tcpstat");
  ASSERT_EQ(tcp.versions.size(), 2u);
  const auto& v = tcp.versions.at("1.1.0");
  EXPECT_EQ(v.version, "1.1.0");
  EXPECT_EQ(v.author, "Alice <alice@example.org>");
  EXPECT_EQ(v.license, "MIT");
  EXPECT_EQ(v.category, "networking");
  EXPECT_EQ(v.tags, std::vector<std::string>{"tcp"});
  ASSERT_EQ(v.files.size(), 2u);
  EXPECT_EQ(v.files[0].name, "README.md");
  EXPECT_EQ(v.files[1], (registry::FileEntry{"package.json", fake_sha('b'), 30}));
  EXPECT_FALSE(v.yanked);
  // The index round-trips through its own JSON.
  auto reparsed = registry::parse_index(registry::write_index(*index));
  ASSERT_TRUE(reparsed) << reparsed.error().message;
  EXPECT_EQ(*reparsed, *index);
}

TEST_F(SqlitePackagesTest, DuplicateFileNameIsRefused) {
  VersionSpec twice;
  twice.files = {{"app.wasm", fake_sha('a'), 1}, {"app.wasm", fake_sha('b'), 2}};
  auto r = storage_->publish(make_version("tcpstat", "1.0.0", twice), alice_.id);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ExitCode::kUsage);
  EXPECT_FALSE(*storage_->package("tcpstat", 0));  // rolled back, name not taken
}

TEST_F(SqlitePackagesTest, RecentVersionsNewestFirst) {
  VersionSpec old, mid, fresh;
  old.published = 100;
  mid.published = 200;
  fresh.published = 300;
  publish_ok(make_version("a", "1.0.0", old), alice_);
  publish_ok(make_version("b", "1.0.0", fresh), alice_);
  publish_ok(make_version("a", "1.1.0", mid), alice_);
  auto recent = storage_->recent_versions(2);
  ASSERT_TRUE(recent);
  ASSERT_EQ(recent->size(), 2u);
  EXPECT_EQ((*recent)[0].package, "b");
  EXPECT_EQ((*recent)[1].version, "1.1.0");
  EXPECT_EQ((*recent)[1].files.size(), 2u);
  // `updated` follows the newest publish, `created` the first.
  auto a = *storage_->package("a", 0);
  EXPECT_EQ(a->created, 100);
  EXPECT_EQ(a->updated, 200);
}

}  // namespace
}  // namespace lmp::hub
