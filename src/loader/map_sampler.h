// Periodic reads of maps that carry a @sample annotation (histograms, counters).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
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
  // Errors (kBadPackage) when such a map is not in the object.
  static Result<std::vector<MapSampler>> create_all(bpf_object* object,
                                                    const std::vector<package::MapInfo>& maps);

  const std::string& name() const { return name_; }
  const package::Sample& sample() const { return sample_; }
  uint32_t key_type_id() const { return key_type_id_; }  // BTF ids (0 = unknown)
  uint32_t value_type_id() const { return value_type_id_; }

  // Reads every entry; with clear_map deletes them afterwards (arrays are zeroed).
  Result<std::vector<MapEntryBytes>> read();

  // When the next read is due; read() schedules the one after.
  std::chrono::steady_clock::time_point due() const { return due_; }

 private:
  bpf_map* map_ = nullptr;
  const btf* btf_ = nullptr;  // the object's, for folding per-CPU values
  std::string name_;
  package::Sample sample_;
  uint32_t key_type_id_ = 0;
  uint32_t value_type_id_ = 0;
  std::chrono::steady_clock::time_point due_;
};

}  // namespace lmp::loader
