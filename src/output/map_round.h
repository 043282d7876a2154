// One sampling round of a map as data (the rows decoded, sorted and cut to --top), and the
// renderers that turn it into table text, a JSON line or a YAML document. Internal to the
// output module: MapPrinter (map_printer.cpp) builds rounds, tests render them directly.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "output/map_fields.h"
#include "output/map_layout.h"
#include "output/output.h"

namespace lmp::output::detail {

// The time a round's counts were gathered in: since the previous read of a map cleared
// after each round, since the run's start otherwise.
struct MapInterval {
  std::chrono::system_clock::time_point start;
  std::chrono::system_clock::time_point end;
};

struct MapRow {
  nlohmann::json key;    // decode_value's, or a hex string without BTF
  nlohmann::json value;  // null for a keyed-log2 histogram
  bool key_is_zero = false;
  std::vector<uint64_t> counts;           // histogram kinds only
  std::vector<DecodedMember> key_text;    // members of a struct key that have a text
  std::vector<DecodedMember> value_text;  // members of a struct value that have a text
};

struct MapRound {
  std::string map;
  bool titled = false;  // the map name follows the interval on the table's first line
  std::string package;  // several packages in one run: named on the first line, in JSON
  MapKind kind = MapKind::kKeyValue;
  std::string unit = "value";              // histograms' first column
  std::string slots_member;                // not repeated in a histogram's label
  std::vector<std::string> key_members;    // declaration order; empty unless a struct
  std::vector<std::string> value_members;  // declaration order; empty unless a struct
  MapInterval interval;
  std::vector<MapRow> rows;  // in the order shown
  std::size_t total = 0;     // rows before --top cut them (== rows.size() when not cut)
};

// "11:30:01 -> 11:30:02 (1.0 s)": local times and the length of the interval.
std::string interval_text(const MapInterval& interval);

// Table text: the interval line (then the map name when titled, then "(top N of M)" when
// cut), then histograms or a key/value table. `width` > 0 narrows histogram bars so their
// lines fit in that many columns.
std::string render_map_table(const MapRound& round, std::size_t width);

// Feeds a round to the metrics registry (docs/metrics.md): histogram maps as Prometheus
// histograms `lmp_PACKAGE_MAP[_UNIT]` (le = each slot's upper bound; _sum estimated from the
// slots' midpoints), key/value maps as one family per numeric value member,
// `lmp_PACKAGE_MAP[_MEMBER]` (counters `..._total` summed over rounds when the map is
// `cleared` after each, gauges of the current value otherwise); labels from the key's
// members (decoded text where there is one) and the value's text members.
void export_map_round(const MapRound& round, bool cleared, MetricsRegistry& registry,
                      const std::string& package);

// One JSON line (Format::kJson) or one YAML document (Format::kYaml) with the keys time,
// interval_start, interval_end, interval_s, map, entries (and entries_total when cut).
std::string render_map_data(const MapRound& round, Format format);

}  // namespace lmp::output::detail
