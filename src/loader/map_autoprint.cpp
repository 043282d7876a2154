#include "loader/map_autoprint.h"

#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include <algorithm>
#include <cstring>

namespace lmp::loader {
namespace {

bool is_result_type(bpf_map_type type) {
  switch (type) {
    case BPF_MAP_TYPE_HASH:
    case BPF_MAP_TYPE_ARRAY:
    case BPF_MAP_TYPE_PERCPU_HASH:
    case BPF_MAP_TYPE_PERCPU_ARRAY:
    case BPF_MAP_TYPE_LRU_HASH:
    case BPF_MAP_TYPE_LRU_PERCPU_HASH:
      return true;
    default:
      return false;
  }
}

// The value is an integer, an array of them, or a struct/union with a member named "slots".
bool holds_counts(const btf* btf, uint32_t type_id) {
  if (btf == nullptr || type_id == 0) return false;
  int resolved = btf__resolve_type(btf, type_id);
  if (resolved < 0) return false;
  const btf_type* t = btf__type_by_id(btf, static_cast<uint32_t>(resolved));
  if (t == nullptr) return false;
  if (btf_is_int(t)) return true;
  if (btf_is_array(t)) return holds_counts(btf, btf_array(t)->type);
  if (!btf_is_composite(t)) return false;
  const btf_member* m = btf_members(t);
  for (uint16_t i = 0; i < btf_vlen(t); ++i, ++m)
    if (std::strcmp(btf__name_by_offset(btf, m->name_off), "slots") == 0) return true;
  return false;
}

}  // namespace

bool is_printable_result_map(bpf_object* object, const bpf_map* map) {
  auto type = bpf_map__type(map);
  if (bpf_map__is_internal(map) || !is_result_type(type)) return false;
  bool scratch = type == BPF_MAP_TYPE_PERCPU_ARRAY && bpf_map__max_entries(map) == 1 &&
                 !holds_counts(bpf_object__btf(object), bpf_map__btf_value_type_id(map));
  return !scratch;
}

std::vector<MapSampler> automatic_samplers(bpf_object* object, bool has_buffers,
                                           const std::vector<package::MapInfo>& maps,
                                           std::optional<std::chrono::milliseconds> interval) {
  std::vector<MapSampler> samplers;
  if (has_buffers ||
      std::any_of(maps.begin(), maps.end(), [](const auto& m) { return m.sample.has_value(); }))
    return samplers;
  bpf_map* map = nullptr;
  bpf_object__for_each_map(map, object) {
    if (is_printable_result_map(object, map))
      samplers.push_back(MapSampler::automatic(object, map, interval));
  }
  return samplers;
}

}  // namespace lmp::loader
