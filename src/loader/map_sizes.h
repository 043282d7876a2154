// Map sizes that a tool's own user space would set before load (libbpf-tools style): lmp
// has no such user space, so it gives unsized maps working defaults and applies the user's
// `--map-size NAME=N` (docs/run.md, "Maps: sizes and printing").
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/result.h"

struct bpf_object;
struct bpf_map;

namespace lmp::loader {

// What an unsized map gets. Arrays (ARRAY, PERCPU_ARRAY, CPUMAP) with max_entries 0 get the
// number of possible CPUs: libbpf-tools leave an array unsized when user space sizes it per
// CPU. Ring buffers get kDefaultRingBytes; every other map with max_entries 0 (hash, LRU,
// stack trace, ...) gets kDefaultMaxEntries, the size libbpf-tools commonly use. A
// STACK_TRACE map with value size 0 gets kStackTraceValueSize (127 frames of u64, the
// kernel's default perf_event_max_stack). PERF_EVENT_ARRAY is left alone: libbpf sizes it.
inline constexpr uint32_t kDefaultMaxEntries = 10240;
inline constexpr uint32_t kDefaultRingBytes = 256 * 1024;
inline constexpr uint32_t kStackTraceValueSize = 127 * 8;

// One `--map-size NAME=N`.
struct MapSize {
  std::string map;
  uint32_t max_entries = 0;
};

// Parses "NAME=N" texts: N a decimal integer from 1 to 2^32-1. kUsage on a malformed text.
Result<std::vector<MapSize>> parse_map_sizes(const std::vector<std::string>& texts);

// Before load: gives unsized maps their defaults, then applies `sizes` (which win).
// Returns one line per change for -v ("map stacks: value size 0 -> 1016 (...)").
// kUsage "--map-size: no map NAME (maps: a, b)" when a name is not in the object.
Result<std::vector<std::string>> apply_map_sizes(bpf_object* object,
                                                 const std::vector<MapSize>& sizes);

// "NAME (hash, key 4 B, value 8 B, max_entries 0)": what the kernel was asked to create.
std::string describe_map(const bpf_map* map);

// After a failed load whose cause was a map the kernel did not create (libbpf's
// "map 'NAME': failed to create"): an error naming the map, its settings and what to pass.
// nullopt when no map failed. `err` is the positive errno of the load.
std::optional<Error> map_creation_error(bpf_object* object, int err);

}  // namespace lmp::loader
