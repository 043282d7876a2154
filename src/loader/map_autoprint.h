// Maps nobody configured (docs/run.md, "Maps: sizes and printing"): a tool written for its
// own user space keeps its results in hash/array maps that user space would print. Like
// bpftrace, `lmp run` prints them itself at exit when the object has no ring/perf buffer
// and no map with a `sample` entry.
#pragma once

#include <chrono>
#include <optional>
#include <vector>

#include "loader/map_sampler.h"
#include "package/package.h"

struct bpf_object;
struct bpf_map;

namespace lmp::loader {

// Whether lmp prints `map` when nobody configured it: a HASH, ARRAY, their PERCPU and LRU
// kinds, not internal (.rodata, .bss, .data, .kconfig), and not scratch space. Scratch is a
// per-CPU array of one entry whose value is neither an integer nor a struct with a `slots`
// array (a buffer for building a big struct, not a result). Ring/perf buffers, prog arrays,
// stack-trace maps (their ids show as numbers where they are values) and the rest are left
// out.
bool is_printable_result_map(bpf_object* object, const bpf_map* map);

// The automatic samplers (MapSampler::automatic) of the loaded `object`: one per printable
// result map, or none when `has_buffers` or when any of `maps` has a `sample`.
std::vector<MapSampler> automatic_samplers(bpf_object* object, bool has_buffers,
                                           const std::vector<package::MapInfo>& maps,
                                           std::optional<std::chrono::milliseconds> interval);

}  // namespace lmp::loader
