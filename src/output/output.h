// BTF-driven decoding of events and map entries, and the printers for them.
// This module does not know where the bytes came from (ring buffer, perf buffer, map, test).
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <ostream>
#include <span>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/result.h"
#include "package/package.h"

struct btf;

namespace lmp::output {

class MetricsRegistry;  // metrics.h

enum class Format { kTable, kJson, kYaml };

// The time shown on each event (`lmp run --timestamp`, docs/output.md "Time").
enum class TimestampMode {
  kNone,      // no time column
  kTime,      // local HH:MM:SS (the table's default, as bcc's -T)
  kIso,       // RFC 3339 local time with zone, milliseconds
  kRelative,  // seconds since the run started, "12.345678"
  kNs,        // the event's own kernel timestamp member (ts, timestamp...) or receipt ns
};

// One `--filter`: FIELD=VALUE, FIELD!=VALUE, FIELD~REGEX, FIELD>N, FIELD<N, FIELD>=N, FIELD<=N.
// VALUE compares with the decoded text (SIGKILL, 10.0.0.1) or the raw number.
struct FieldFilter {
  enum class Op { kEqual, kNotEqual, kMatch, kGreater, kLess, kGreaterEqual, kLessEqual };
  std::string field;
  Op op = Op::kEqual;
  std::string value;

  bool operator==(const FieldFilter&) const = default;
};

// Parses one `--filter` expression; errors (kUsage) say what the forms are.
Result<FieldFilter> parse_filter(std::string_view text);

// How printers render: chosen by `lmp run`'s options.
struct PrintOptions {
  PrintOptions(Format f = Format::kTable) : format(f) {}  // NOLINT: a format alone is common

  Format format = Format::kTable;
  TimestampMode timestamp = TimestampMode::kTime;  // table only; JSON always has "time"
  std::vector<std::string> fields;                 // --fields: these columns, in this order
  std::vector<FieldFilter> filters;                // --filter: an event shows when all match
  std::size_t width = 0;  // terminal columns to fit table rows in; 0: no limit
  bool color = false;     // ANSI colour for table headers
  std::size_t top = 0;    // maps: only the N largest counters (0: all)
  // The run's start (relative timestamps; the first map interval begins here).
  std::chrono::system_clock::time_point start = std::chrono::system_clock::now();
  // --metrics: sampled maps also feed these families (metrics.h), named after `package`.
  MetricsRegistry* metrics = nullptr;
  std::string package;
  bool quiet = false;  // --quiet: printers write nothing (metrics are still fed)
  // Several packages in one run: events carry `package` (a PACKAGE column, "package" in
  // JSON), map rounds name it.
  bool package_column = false;
};

// Decodes `bytes` as a value of BTF type `type_id`: integers as numbers (bool as true/false),
// char arrays as strings (up to the first NUL), enums by enumerator name (number when no
// name matches), structs/unions as objects, arrays as arrays, pointers as unsigned numbers.
// Errors when `bytes` is shorter than the type.
Result<nlohmann::json> decode_value(const btf* btf, uint32_t type_id,
                                    std::span<const uint8_t> bytes);

// Prints events of one export type. Table: a TIME column (local HH:MM:SS) then upper-case member
// names; the header line is written by create() when print_header. Char arrays print as plain
// text, nested structs and arrays as compact JSON in their cell. JSON: one object per line whose
// keys are exactly the struct's members (anonymous struct/union members flattened), nothing else.
// Output goes to `out` with one write per event and is never flushed here: the caller flushes
// (e.g. after each ring-buffer poll) so that a pipe or file is not flushed per event. One write
// is one record, which OutputWriter (output/writer.h) keeps or drops whole.
class EventPrinter {
 public:
  // Finds the struct by export_type.type_id, checks its name and member count; falls back to
  // looking it up by name. Errors (kBadPackage) when neither matches.
  static Result<std::unique_ptr<EventPrinter>> create(const btf* btf,
                                                      const package::ExportType& type,
                                                      const PrintOptions& options,
                                                      bool print_header, std::ostream& out);
  virtual ~EventPrinter() = default;
  // Table format: writes the header line (create() does when asked; a run of several
  // packages asks once all are attached). Other formats: nothing.
  virtual void print_header() = 0;
  // Prints one event. A sample cut inside a trailing array member (a variable-length record)
  // prints the part sent; one cut earlier is skipped with a warning on stderr (once).
  virtual void print(std::span<const uint8_t> data) = 0;
  // The event's process id: its top-level integer member `pid` (else `tgid`), when it has one
  // and `data` is long enough.
  virtual std::optional<int64_t> pid_of(std::span<const uint8_t> data) const = 0;
};

// One key/value pair read from a map.
struct MapEntry {
  std::vector<uint8_t> key;
  std::vector<uint8_t> value;
};

// Prints sampled map contents according to @sample: log2_hist (bcc's layout with bars),
// linear_hist, or default_kv (a table of key and value fields). Table mode starts every round
// with a local-time line "HH:MM:SS". JSON mode: one object per
// sample line, {"time":..., "map":..., "entries":[{"key":..., "value":...}]}; histogram entries
// also carry "buckets":[{"low":..,"high":..,"count":..}]. Never flushes `out` (see EventPrinter).
class MapPrinter {
 public:
  static Result<std::unique_ptr<MapPrinter>> create(const btf* btf, std::string map_name,
                                                    uint32_t key_type_id, uint32_t value_type_id,
                                                    const package::Sample& sample,
                                                    const PrintOptions& options, std::ostream& out);
  virtual ~MapPrinter() = default;
  // Prints one sampling round (all entries read in one interval).
  virtual void print(const std::vector<MapEntry>& entries) = 0;
};

// A line of text the kernel side produced (an iterator's output, a trace_pipe line) as one
// record, newline included: in table format the line as it is; in JSON `fields` as one
// object (invalid UTF-8 replaced).
std::string text_line_record(Format format, std::string_view line, const nlohmann::json& fields);

}  // namespace lmp::output
