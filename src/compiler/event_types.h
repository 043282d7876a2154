// Which struct each ring/perf buffer carries (docs/run.md, "Which export type decodes which
// buffer"). Evidence, strongest first: the map's export_config ({"btf_type_id": N}, eunomia's
// format, or {"struct": "NAME"}); the value type of a map whose value the program sends; the
// record sizes the program passes (record_evidence.h), which must fit exactly one candidate
// (a cut trailing array fits too); a single candidate. Anything else is a guess.
#pragma once

#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <vector>

#include "common/result.h"
#include "compiler/record_evidence.h"
#include "package/package.h"

struct bpf_object;
struct btf;

namespace lmp::compiler {

// True when a record of `size` bytes decodes as struct `type_id`: the same size, or a size
// that cuts the struct inside its last member when that member is an array.
bool record_fits(const btf* btf, uint32_t type_id, uint32_t size);

struct BufferChoice {
  uint32_t type_id = 0;                   // 0: no struct could be chosen
  bool guess = false;                     // chosen without deciding evidence
  std::vector<std::string> alternatives;  // other candidates that fit as well
};

// The struct buffer `evidence` describes carries, among `candidates` (BTF struct ids in
// preference order; empty: every named struct of the BTF, accepted only when unique).
BufferChoice choose_buffer_type(const bpf_object* obj, const BufferEvidence& evidence,
                                const std::vector<uint32_t>& candidates);

// For lmp build and plain objects: exports, from the structs named `names` (empty: search the
// whole BTF), the ones the buffers carry, in buffer order; records each buffer's choice in its
// map's export_config; sets enable_multiple_export_types when buffers differ; warns on stderr
// when a choice is a guess. `elf` is the object `obj` was opened from.
Result<void> plan_export_types(const bpf_object* obj, std::span<const uint8_t> elf,
                               const std::vector<std::string>& names, package::Meta& meta);

// For lmp run: the export type decoding each of `buffers` (map names). Buffers without one are
// left out. Honours export_config, then evidence among meta.export_types, then the package's
// order (object order with enable_multiple_export_types, else the first type).
std::map<std::string, package::ExportType> export_types_for_buffers(
    const bpf_object* obj, std::span<const uint8_t> elf, const package::Meta& meta,
    const std::vector<std::string>& buffers);

}  // namespace lmp::compiler
