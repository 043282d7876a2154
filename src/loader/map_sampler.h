// Periodic reads of maps that carry a @sample annotation (histograms, counters).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/result.h"
#include "package/package.h"

struct bpf_object;
struct bpf_map;
struct btf;

namespace lmp::loader {

struct MapEntryBytes {
  std::vector<uint8_t> key;
  std::vector<uint8_t> value;  // per-CPU maps: all CPUs folded into one (per_cpu.h)
};

// Bounds on what a package's @sample asks for: at most this many entries are read per
// round (the rest of a larger map is left out), and rounds are at least this far apart.
inline constexpr std::size_t kMaxSampledEntries = 1u << 20;
inline constexpr uint32_t kMinSampleIntervalMs = 10;

class MapSampler {
 public:
  // One sampler per map of `maps` with a `sample`, found in the loaded object by name.
  // `interval` (--interval) replaces every sample's own interval.
  // Errors (kBadPackage) when such a map is not in the object.
  static Result<std::vector<MapSampler>> create_all(
      bpf_object* object, const std::vector<package::MapInfo>& maps,
      std::optional<std::chrono::milliseconds> interval = std::nullopt);

  // A map nobody configured, printed at exit and, with `interval`, every interval too
  // (map_autoprint.h). Its reads leave out entries whose value is all zero bytes, and all
  // entries when every value is an 8-byte moment of this run on CLOCK_MONOTONIC or
  // CLOCK_BOOTTIME (a latency tool's "start" map: scratch, not a result).
  static MapSampler automatic(bpf_object* object, bpf_map* map,
                              std::optional<std::chrono::milliseconds> interval);
  bool is_automatic() const { return automatic_; }

  const std::string& name() const { return name_; }
  const package::Sample& sample() const { return sample_; }
  uint32_t key_type_id() const { return key_type_id_; }  // BTF ids (0 = unknown)
  uint32_t value_type_id() const { return value_type_id_; }

  // Reads every entry; with clear_map deletes them afterwards (arrays are zeroed).
  Result<std::vector<MapEntryBytes>> read();

  // When the next read is due (time_point::max() for an automatic map read only at exit);
  // read() schedules the one after.
  std::chrono::steady_clock::time_point due() const { return due_; }
  // Starts the interval clock again at `now` (when polling begins, after attaching): the
  // first read is due one interval later.
  void schedule_from(std::chrono::steady_clock::time_point now);
  // When read() last ran (nullopt: never).
  std::optional<std::chrono::steady_clock::time_point> last_read() const { return last_read_; }

 private:
  bpf_map* map_ = nullptr;
  const btf* btf_ = nullptr;  // the object's, for folding per-CPU values
  std::string name_;
  package::Sample sample_;
  uint32_t key_type_id_ = 0;
  uint32_t value_type_id_ = 0;
  std::chrono::steady_clock::time_point due_;
  std::optional<std::chrono::steady_clock::time_point> last_read_;
  bool automatic_ = false;
  uint64_t since_monotonic_ns_ = 0;  // automatic: when this run began, on each clock
  uint64_t since_boot_ns_ = 0;
  bool timestamps_noted_ = false;
};

}  // namespace lmp::loader
