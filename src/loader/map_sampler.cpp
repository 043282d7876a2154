#include "loader/map_sampler.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include <algorithm>
#include <cerrno>

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

Result<std::vector<MapSampler>> MapSampler::create_all(bpf_object* object,
                                                       const std::vector<package::MapInfo>& maps) {
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
    sampler.sample_.interval_ms = std::max(sampler.sample_.interval_ms, kMinSampleIntervalMs);
    sampler.key_type_id_ = bpf_map__btf_key_type_id(map);
    sampler.value_type_id_ = bpf_map__btf_value_type_id(map);
    sampler.btf_ = bpf_object__btf(object);
    sampler.due_ = now + std::chrono::milliseconds(sampler.sample_.interval_ms);
    samplers.push_back(std::move(sampler));
  }
  return samplers;
}

Result<std::vector<MapEntryBytes>> MapSampler::read() {
  due_ = std::chrono::steady_clock::now() + std::chrono::milliseconds(sample_.interval_ms);
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
  for (const auto& k : keys) {
    if (bpf_map_lookup_elem(fd, k.data(), value.data()) != 0) continue;  // deleted meanwhile
    if (is_per_cpu(type))
      entries.push_back({k, merge_per_cpu(btf_, value_type_id_, value, value_size, slot)});
    else
      entries.push_back({k, std::vector<uint8_t>(value.begin(), value.begin() + value_size)});
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
