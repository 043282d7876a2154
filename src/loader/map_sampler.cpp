#include "loader/map_sampler.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <limits>

#include "common/log.h"
#include "loader/bpf_object_handle.h"
#include "loader/per_cpu.h"

namespace lmp::loader {
namespace {

bool is_per_cpu(bpf_map_type type) {
  return type == BPF_MAP_TYPE_PERCPU_HASH || type == BPF_MAP_TYPE_PERCPU_ARRAY ||
         type == BPF_MAP_TYPE_LRU_PERCPU_HASH;
}

bool is_array(bpf_map_type type) {
  return type == BPF_MAP_TYPE_ARRAY || type == BPF_MAP_TYPE_PERCPU_ARRAY;
}

}  // namespace

Result<std::vector<MapSampler>> MapSampler::create_all(
    bpf_object* object, const std::vector<package::MapInfo>& maps,
    std::optional<std::chrono::milliseconds> interval) {
  std::vector<MapSampler> samplers;
  auto now = std::chrono::steady_clock::now();
  for (const auto& info : maps) {
    if (!info.sample) continue;
    bpf_map* map = bpf_object__find_map_by_name(object, info.name.c_str());
    if (!map)
      return fail(ExitCode::kBadPackage, "sampled map " + info.name + " is not in the object");
    MapSampler sampler;
    sampler.map_ = map;
    sampler.name_ = info.name;
    sampler.sample_ = *info.sample;
    if (sampler.sample_.interval_ms == 0) sampler.sample_.interval_ms = 1000;
    if (interval) sampler.sample_.interval_ms = static_cast<uint32_t>(interval->count());
    sampler.sample_.interval_ms = std::max(sampler.sample_.interval_ms, kMinSampleIntervalMs);
    sampler.key_type_id_ = bpf_map__btf_key_type_id(map);
    sampler.value_type_id_ = bpf_map__btf_value_type_id(map);
    sampler.btf_ = bpf_object__btf(object);
    sampler.due_ = now + std::chrono::milliseconds(sampler.sample_.interval_ms);
    samplers.push_back(std::move(sampler));
  }
  return samplers;
}

namespace {

// The kernel clocks bpf_ktime_get_ns and bpf_ktime_get_boot_ns read, in ns.
uint64_t clock_ns(clockid_t clock) {
  timespec now{};
  clock_gettime(clock, &now);
  return static_cast<uint64_t>(now.tv_sec) * 1'000'000'000u + static_cast<uint64_t>(now.tv_nsec);
}

// Whether every value is a moment between `since` and now on one kernel clock: the "start"
// maps of latency tools (thread -> when it began to wait) are scratch, not results.
bool all_moments_of_this_run(const std::vector<uint64_t>& values, uint64_t since_monotonic,
                             uint64_t since_boot) {
  if (values.empty()) return false;
  auto within = [&values](uint64_t since, uint64_t until) {
    return std::all_of(values.begin(), values.end(),
                       [&](uint64_t v) { return v >= since && v <= until; });
  };
  return within(since_monotonic, clock_ns(CLOCK_MONOTONIC)) ||
         within(since_boot, clock_ns(CLOCK_BOOTTIME));
}

// Moments before the sampler was made that still count as this run's (the load before it).
constexpr uint64_t kRunSlackNs = 60'000'000'000u;

}  // namespace

MapSampler MapSampler::automatic(bpf_object* object, bpf_map* map,
                                 std::optional<std::chrono::milliseconds> interval) {
  MapSampler sampler;
  sampler.since_monotonic_ns_ = clock_ns(CLOCK_MONOTONIC) - kRunSlackNs;
  sampler.since_boot_ns_ = clock_ns(CLOCK_BOOTTIME) - kRunSlackNs;
  sampler.map_ = map;
  sampler.name_ = bpf_map__name(map);
  sampler.automatic_ = true;
  if (interval)
    sampler.sample_.interval_ms = static_cast<uint32_t>(std::clamp<int64_t>(
        interval->count(), kMinSampleIntervalMs, std::numeric_limits<uint32_t>::max()));
  else
    sampler.sample_.interval_ms = 0;  // read only at exit
  sampler.key_type_id_ = bpf_map__btf_key_type_id(map);
  sampler.value_type_id_ = bpf_map__btf_value_type_id(map);
  sampler.btf_ = bpf_object__btf(object);
  sampler.due_ = interval ? std::chrono::steady_clock::now() +
                                std::chrono::milliseconds(sampler.sample_.interval_ms)
                          : std::chrono::steady_clock::time_point::max();
  return sampler;
}

void MapSampler::schedule_from(std::chrono::steady_clock::time_point now) {
  if (sample_.interval_ms != 0) due_ = now + std::chrono::milliseconds(sample_.interval_ms);
}

Result<std::vector<MapEntryBytes>> MapSampler::read() {
  last_read_ = std::chrono::steady_clock::now();
  if (sample_.interval_ms != 0) due_ = *last_read_ + std::chrono::milliseconds(sample_.interval_ms);
  int fd = bpf_map__fd(map_);
  auto type = bpf_map__type(map_);
  std::size_t key_size = bpf_map__key_size(map_);
  std::size_t value_size = bpf_map__value_size(map_);
  std::size_t slot = value_size;
  std::size_t lookup_size = value_size;
  if (is_per_cpu(type)) {
    slot = (value_size + 7) / 8 * 8;
    lookup_size = slot * static_cast<std::size_t>(libbpf_num_possible_cpus());
  }

  // Collect keys first: deleting while walking would restart the walk.
  std::vector<std::vector<uint8_t>> keys;
  std::vector<uint8_t> key(key_size), next(key_size);
  const void* previous = nullptr;
  std::size_t limit = std::min<std::size_t>(
      static_cast<std::size_t>(bpf_map__max_entries(map_)) * 2 + 16, kMaxSampledEntries);
  while (keys.size() < limit && bpf_map_get_next_key(fd, previous, next.data()) == 0) {
    keys.push_back(next);
    key = next;
    previous = key.data();
  }

  std::vector<MapEntryBytes> entries;
  std::vector<uint8_t> value(lookup_size);
  std::vector<uint64_t> integers;  // the nonzero 8-byte values (each CPU's) of an automatic map
  for (const auto& k : keys) {
    if (bpf_map_lookup_elem(fd, k.data(), value.data()) != 0) continue;  // deleted meanwhile
    if (automatic_ && value_size == sizeof(uint64_t))
      for (std::size_t at = 0; at + sizeof(uint64_t) <= lookup_size; at += slot) {
        uint64_t v = 0;
        std::memcpy(&v, value.data() + at, sizeof(v));
        if (v != 0) integers.push_back(v);
      }
    if (is_per_cpu(type))
      entries.push_back({k, merge_per_cpu(btf_, value_type_id_, value, value_size, slot)});
    else
      entries.push_back({k, std::vector<uint8_t>(value.begin(), value.begin() + value_size)});
    // Unused array slots, scratch space never written: nothing to show.
    if (automatic_ && std::all_of(entries.back().value.begin(), entries.back().value.end(),
                                  [](uint8_t b) { return b == 0; }))
      entries.pop_back();
  }
  if (automatic_ && all_moments_of_this_run(integers, since_monotonic_ns_, since_boot_ns_)) {
    if (!timestamps_noted_)
      log::debug("map " + name_ + " holds timestamps of this run (scratch): not printed");
    timestamps_noted_ = true;
    entries.clear();
  }
  if (sample_.clear_map) {
    std::vector<uint8_t> zero(lookup_size, 0);
    for (const auto& k : keys) {
      if (is_array(type))
        bpf_map_update_elem(fd, k.data(), zero.data(), BPF_ANY);
      else
        bpf_map_delete_elem(fd, k.data());
    }
  }
  return entries;
}

}  // namespace lmp::loader
