#include "hub/download_counter.h"

#include <gtest/gtest.h>

#include <thread>

#include "hub/sqlite_test_util.h"

namespace lmp::hub {
namespace {

using testing::make_version;

class DownloadCounterTest : public testing::StorageFixture {
 protected:
  void SetUp() override {
    StorageFixture::SetUp();
    publish_ok(make_version("tool", "1.0.0"), alice_);
    publish_ok(make_version("tool", "1.1.0"), alice_);
  }
  std::int64_t stored(const std::string& version = "") {
    auto package = storage_->package("tool", unix_day(unix_now()));
    if (!package || !*package) return -1;
    if (version.empty()) return (*package)->downloads;
    for (const VersionRecord& v : (*package)->versions)
      if (v.version == version) return v.downloads;
    return -1;
  }
};

TEST(UnixDayTest, DaysSinceEpoch) {
  EXPECT_EQ(unix_day(0), 0);
  EXPECT_EQ(unix_day(86399), 0);
  EXPECT_EQ(unix_day(86400), 1);
  EXPECT_EQ(unix_day(-1), -1);
}

TEST_F(DownloadCounterTest, BatchesUntilFlush) {
  DownloadCounter counter(*storage_);
  for (int i = 0; i < 5; ++i) counter.count("tool", "1.0.0");
  counter.count("tool", "1.1.0");
  EXPECT_EQ(counter.pending(), 6);
  EXPECT_EQ(stored(), 0);  // nothing written yet
  ASSERT_TRUE(counter.flush());
  EXPECT_EQ(counter.pending(), 0);
  EXPECT_EQ(stored("1.0.0"), 5);
  EXPECT_EQ(stored("1.1.0"), 1);
  ASSERT_TRUE(counter.flush());  // nothing pending: no change
  EXPECT_EQ(stored(), 6);
}

TEST_F(DownloadCounterTest, CountsPerDay) {
  DownloadCounter counter(*storage_);
  UnixDay today = unix_day(unix_now());
  counter.count("tool", "1.0.0", today - 1);
  counter.count("tool", "1.0.0", today);
  counter.count("tool", "1.0.0", today);
  ASSERT_TRUE(counter.flush());
  auto days = storage_->downloads_by_day("tool", today, 2);
  ASSERT_TRUE(days);
  ASSERT_EQ(days->size(), 2u);
  EXPECT_EQ((*days)[0].count + (*days)[1].count, 3);
  EXPECT_EQ(days->back().day, today);
  EXPECT_EQ(days->back().count, 2);
}

TEST_F(DownloadCounterTest, ConcurrentCountsAreAllKept) {
  DownloadCounter counter(*storage_);
  counter.start(std::chrono::milliseconds(5));
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t)
    threads.emplace_back([&] {
      for (int i = 0; i < 1000; ++i) counter.count("tool", i % 2 ? "1.0.0" : "1.1.0");
    });
  for (auto& t : threads) t.join();
  counter.stop();  // the last flush
  EXPECT_EQ(counter.pending(), 0);
  EXPECT_EQ(stored(), 8000);
}

TEST_F(DownloadCounterTest, BackgroundThreadFlushes) {
  DownloadCounter counter(*storage_);
  counter.start(std::chrono::milliseconds(10));
  counter.count("tool", "1.0.0");
  for (int i = 0; i < 200 && stored() != 1; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  EXPECT_EQ(stored(), 1);
}

}  // namespace
}  // namespace lmp::hub
