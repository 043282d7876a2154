// Download counts batched in memory: a download costs one short critical section on one
// of a few shards; a background thread adds the batch to Storage::add_downloads once a
// second (docs/hub.md, "Downloads are counted"), and flush() writes what is pending at once
// (at shutdown, and before the API reports totals).
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <stop_token>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <vector>

#include "common/result.h"
#include "hub/storage.h"

namespace lmp::hub {

// Days since the epoch (UTC) of a Unix time.
UnixDay unix_day(UnixTime time);
UnixTime unix_now();

class DownloadCounter {
 public:
  explicit DownloadCounter(Storage& storage);
  // Stops the thread and flushes (errors are logged).
  ~DownloadCounter();
  DownloadCounter(const DownloadCounter&) = delete;
  DownloadCounter& operator=(const DownloadCounter&) = delete;

  // One download of PACKAGE VERSION on `day` (default: today, UTC).
  void count(std::string_view package, std::string_view version, UnixDay day);
  void count(std::string_view package, std::string_view version);

  // Adds everything pending to the storage in one call. On failure the counts stay pending
  // for the next flush.
  Result<void> flush();
  // Counts not yet flushed, summed (for tests).
  std::int64_t pending() const;

  // Starts the background thread flushing every `interval`; stop() ends it with a last flush.
  void start(std::chrono::milliseconds interval = std::chrono::seconds(1));
  void stop();

 private:
  static constexpr std::size_t kShards = 16;
  struct Shard {
    mutable std::mutex mutex;
    // key: package '\n' version '\n' day
    std::unordered_map<std::string, std::int64_t> counts;
  };

  void add(std::string_view package, std::string_view version, UnixDay day, std::int64_t n);
  std::vector<DownloadCount> take_pending();
  void restore(const std::vector<DownloadCount>& counts);

  Storage& storage_;
  Shard shards_[kShards];
  std::mutex flush_mutex_;  // one flush at a time
  std::mutex wake_mutex_;
  std::condition_variable_any wake_;
  std::jthread thread_;
};

}  // namespace lmp::hub
