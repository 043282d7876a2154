// Printers for maps nobody configured (docs/run.md, "Maps: sizes and printing"): lmp picks
// the layout from the map's BTF types and name, as bpftrace does for its own maps.
#pragma once

#include <cstdint>
#include <memory>
#include <ostream>
#include <string>

#include "common/result.h"
#include "output/output.h"

struct btf;

namespace lmp::output {

// The layout: a value that is an integer array or a struct with an integer array `slots` -> a log2
// histogram per key; an integer value under an integer key of at most 8 bytes in a map whose name
// contains "hist" or "slot" -> one log2 histogram whose slot index is the key; anything else -> a
// key/value table sorted by value, largest first (a struct value by its first member when that is a
// number; --top N keeps the N largest). Table rounds start with the interval they cover (from
// options.start: these maps are never cleared) and NAME, "11:30:00 -> 11:30:02 (2.0 s) NAME"; a
// round with no entries prints nothing (the caller leaves out all-zero values). JSON/YAML as
// MapPrinter's. Errors (kBadPackage) only for invalid BTF ids.
Result<std::unique_ptr<MapPrinter>> create_automatic_map_printer(
    const btf* btf, std::string map_name, uint32_t key_type_id, uint32_t value_type_id,
    const PrintOptions& options, std::ostream& out);

}  // namespace lmp::output
