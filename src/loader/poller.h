// Event buffers of a loaded object: every BPF_MAP_TYPE_RINGBUF (one ring_buffer manager)
// and every BPF_MAP_TYPE_PERF_EVENT_ARRAY (one perf_buffer each), waited on together
// through one epoll set. Samples are handed over as raw bytes; this module does not format.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

struct bpf_object;
struct ring_buffer;
struct perf_buffer;

namespace lmp::loader {

// Called once per sample with the buffer map's name and the sample's bytes.
using SampleCallback = std::function<void(std::string_view map, std::span<const uint8_t> data)>;
// Called when a perf buffer reports lost samples.
using LostCallback = std::function<void(std::string_view map, uint64_t count)>;

// The largest perf_buffer_pages a package may ask for: 16 MiB of locked memory per CPU.
inline constexpr uint32_t kMaxPerfBufferPages = 4096;

class Poller {
 public:
  // Sets up buffers for every ring buffer and perf event array map of the loaded `object`.
  // `perf_buffer_pages` is the per-CPU size of perf buffers: a power of two up to
  // kMaxPerfBufferPages, else kBadPackage (checked when the object has a perf event array).
  static Result<std::unique_ptr<Poller>> create(bpf_object* object, uint32_t perf_buffer_pages,
                                                SampleCallback on_sample, LostCallback on_lost);
  ~Poller();
  Poller(const Poller&) = delete;
  Poller& operator=(const Poller&) = delete;

  // Names of the buffer maps in object order (for matching export types).
  const std::vector<std::string>& buffer_names() const { return names_; }
  bool empty() const { return names_.empty(); }
  // The epoll set of every buffer: readable when some buffer has data (for waiting on
  // several pollers at once). -1 when there are no buffers.
  int epoll_fd() const { return epoll_fd_; }

  // Waits up to `timeout_ms` for data and delivers what is ready. An interrupted wait (a
  // signal) returns 0. Returns the number of buffers that had data. Ring buffers that never
  // run empty (events faster than they are printed) are read for about `timeout_ms`, or
  // until a stop is requested, and the rest is left for the next call.
  Result<int> poll(int timeout_ms);

 private:
  Poller() = default;
  struct Context {
    Poller* poller;
    std::string name;
  };
  SampleCallback on_sample_;
  LostCallback on_lost_;
  std::vector<std::string> names_;
  std::vector<std::unique_ptr<Context>> contexts_;
  ring_buffer* ring_ = nullptr;
  std::vector<perf_buffer*> perf_buffers_;
  int epoll_fd_ = -1;
  std::chrono::steady_clock::time_point yield_at_;  // when a ring read gives way
  uint64_t ring_samples_ = 0;
};

}  // namespace lmp::loader
