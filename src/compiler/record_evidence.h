// What an object's instructions say about the records each ring/perf buffer carries: the size
// argument of bpf_ringbuf_reserve / bpf_ringbuf_output / bpf_perf_event_output when it is a
// constant, and the map whose value is sent (a per-CPU "heap" map holding the event). Read from
// the ELF file itself (instructions + relocations), before libbpf rewrites anything.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <span>
#include <string>

#include "common/result.h"

namespace lmp::compiler {

struct BufferEvidence {
  std::set<uint32_t> sizes;          // constant record sizes passed with this buffer
  bool variable = false;             // some call passes a size computed at run time
  std::set<std::string> value_maps;  // maps whose looked-up value is the data sent
};

// Evidence per buffer map name (the map's ELF symbol, as bpf_map__name gives it). Best effort:
// a forward pass over each program section that tracks constants, map addresses and map values
// per register, merging at forward jump targets. Errors (kBadPackage) only for a malformed ELF.
Result<std::map<std::string, BufferEvidence>> read_record_evidence(std::span<const uint8_t> elf);

}  // namespace lmp::compiler
