#include "hub/download_counter.h"

#include <ctime>
#include <functional>

#include "common/log.h"

namespace lmp::hub {

UnixTime unix_now() {
  return static_cast<UnixTime>(std::time(nullptr));
}

UnixDay unix_day(UnixTime time) {
  constexpr UnixTime kDay = 86400;
  return time >= 0 ? time / kDay : (time - kDay + 1) / kDay;
}

DownloadCounter::DownloadCounter(Storage& storage) : storage_(storage) {}

DownloadCounter::~DownloadCounter() {
  stop();
}

void DownloadCounter::count(std::string_view package, std::string_view version) {
  count(package, version, unix_day(unix_now()));
}

void DownloadCounter::count(std::string_view package, std::string_view version, UnixDay day) {
  add(package, version, day, 1);
}

void DownloadCounter::add(std::string_view package, std::string_view version, UnixDay day,
                          std::int64_t n) {
  std::string key;
  key.reserve(package.size() + version.size() + 24);
  key.append(package).append(1, '\n').append(version).append(1, '\n').append(std::to_string(day));
  Shard& shard = shards_[std::hash<std::string>{}(key) % kShards];
  std::lock_guard lock(shard.mutex);
  shard.counts[key] += n;
}

std::int64_t DownloadCounter::pending() const {
  std::int64_t total = 0;
  for (const Shard& shard : shards_) {
    std::lock_guard lock(shard.mutex);
    for (const auto& [key, n] : shard.counts) total += n;
  }
  return total;
}

std::vector<DownloadCount> DownloadCounter::take_pending() {
  std::vector<DownloadCount> out;
  for (Shard& shard : shards_) {
    std::unordered_map<std::string, std::int64_t> taken;
    {
      std::lock_guard lock(shard.mutex);
      taken.swap(shard.counts);
    }
    for (const auto& [key, n] : taken) {
      std::size_t a = key.find('\n');
      std::size_t b = key.find('\n', a + 1);
      out.push_back(
          {key.substr(0, a), key.substr(a + 1, b - a - 1), std::stoll(key.substr(b + 1)), n});
    }
  }
  return out;
}

void DownloadCounter::restore(const std::vector<DownloadCount>& counts) {
  for (const DownloadCount& c : counts) {
    add(c.package, c.version, c.day, c.count);
  }
}

Result<void> DownloadCounter::flush() {
  std::lock_guard lock(flush_mutex_);
  std::vector<DownloadCount> batch = take_pending();
  if (batch.empty()) return {};
  auto added = storage_.add_downloads(batch);
  if (!added) {
    restore(batch);
    return std::unexpected(std::move(added.error()).context("recording downloads"));
  }
  return {};
}

void DownloadCounter::start(std::chrono::milliseconds interval) {
  if (thread_.joinable()) return;
  thread_ = std::jthread([this, interval](std::stop_token stop) {
    while (!stop.stop_requested()) {
      {
        std::unique_lock lock(wake_mutex_);
        wake_.wait_for(lock, stop, interval, [] { return false; });
      }
      if (auto flushed = flush(); !flushed) log::warn(flushed.error().message);
    }
  });
}

void DownloadCounter::stop() {
  if (thread_.joinable()) {
    thread_.request_stop();
    thread_.join();
  }
  if (auto flushed = flush(); !flushed) log::warn(flushed.error().message);
}

}  // namespace lmp::hub
