// EventPrinter: renders ring/perf buffer samples of one export type as table rows, JSON lines or
// YAML documents (docs/output.md). Hot path: create() plans the columns (event_columns.h), what
// is shown in which order, the keys and headers, and the filters, once; print() renders with
// std::to_chars into one reused buffer and writes it with a single ostream::write. Decoding,
// filters and width limits cost only when they apply.
#include <time.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "common/log.h"
#include "common/terminal.h"
#include "output/event_cells.h"
#include "output/event_columns.h"
#include "output/event_filter.h"
#include "output/output.h"
#include "output/text_format.h"

namespace lmp::output {
namespace {

using namespace detail;

constexpr int kTime = -1;     // Shown::column of the time
constexpr int kPackage = -2;  // Shown::column of the package (several packages in one run)

// One value printed per event, the time or a column, with its header and keys made once.
struct Shown {
  int column = kTime;
  std::string header;       // table
  size_t width = 0;         // table: padded to this, except the last
  std::string key;          // JSON `"name":` (after a comma unless first); YAML `name: `
  std::string decoded_key;  // JSON `,"sig_name":`; YAML `sig_name: `; "": not decoded
};

std::string upper(std::string_view name) {
  std::string text(name);
  for (char& c : text) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return text;
}

// The key a member or the time gets in JSON or YAML.
std::string key_text(Format format, std::string_view name, bool first) {
  std::string key;
  if (format == Format::kYaml) {
    append_yaml_string(key, name);
    return key + ": ";
  }
  if (!first) key += ',';
  append_json_string(key, name);
  return key + ':';
}

class EventPrinterImpl final : public EventPrinter {
 public:
  EventPrinterImpl(const btf* btf, std::string name, uint32_t size, std::vector<Column> columns,
                   const PrintOptions& options, std::ostream& out)
      : btf_(btf),
        name_(std::move(name)),
        size_(size),
        columns_(std::move(columns)),
        format_(options.format),
        time_mode_(options.format == Format::kTable ? options.timestamp : TimestampMode::kIso),
        start_(options.start),
        width_(options.format == Format::kTable ? options.width : 0),
        package_(options.package),
        color_(options.color),
        out_(out) {
    buffer_.reserve(256);
    // A struct ending in an array may arrive cut inside that array (variable-length records).
    if (!columns_.empty() && columns_.back().elem_size != 0 && columns_.back().bit_size == 0) {
      min_size_ = std::min<size_t>(size_, columns_.back().offset);
      open_ended_ = columns_.back().size == 0;  // a flexible array member: longer is normal
    }
    pid_column_ = find_integer_column(columns_, {"pid", "tgid"}, {4, 8});
    // The kernel timestamp members --timestamp=ns prefers to the time of receipt.
    kernel_time_ =
        find_integer_column(columns_, {"ts", "ts_ns", "timestamp", "timestamp_ns", "time_ns"}, {8});
    family_ = find_family_column(columns_);
  }

  // The JSON/YAML key of the time: "time", or "_time" when the struct has a member `time`.
  std::string time_key() const {
    bool taken = std::any_of(columns_.begin(), columns_.end(),
                             [](const Column& c) { return c.name == "time"; });
    return taken ? "_time" : "time";
  }

  // Decides what each event shows: `fields` in their order, else the time and every column.
  Result<void> plan(const PrintOptions& options) {
    std::string time_name = time_key();
    std::vector<int> order;
    if (options.fields.empty()) {
      if (time_mode_ != TimestampMode::kNone) order.push_back(kTime);
      if (options.package_column) order.push_back(kPackage);
      for (size_t i = 0; i < columns_.size(); ++i) order.push_back(static_cast<int>(i));
    }
    for (const std::string& field : options.fields) {
      auto found = std::find_if(columns_.begin(), columns_.end(),
                                [&](const Column& c) { return c.name == field; });
      if (found != columns_.end()) {
        order.push_back(static_cast<int>(found - columns_.begin()));
      } else if (field == "package" && options.package_column) {
        order.push_back(kPackage);
      } else if (field == time_name) {
        order.push_back(kTime);
        if (time_mode_ == TimestampMode::kNone) time_mode_ = TimestampMode::kTime;
      } else {
        std::string names = time_name;
        for (const Column& c : columns_) names += ", " + c.name;
        return fail(ExitCode::kUsage,
                    "--fields: the events of " + name_ + " have no field '" + field + "'",
                    "their fields: " + names);
      }
    }
    for (int index : order) shown_.push_back(make_shown(index, time_name, shown_.empty()));
    return {};
  }

  Result<void> compile_filters(const PrintOptions& options) {
    filter_ = LMP_TRY(EventFilter::create(btf_, name_, options.filters, columns_));
    return {};
  }

  std::optional<int64_t> pid_of(std::span<const uint8_t> data) const override {
    if (!pid_column_) return std::nullopt;
    const Column& c = columns_[*pid_column_];
    if (data.size() < c.offset + c.size) return std::nullopt;
    return static_cast<int64_t>(raw_number(c, data)->integer);
  }

  void print_header() override {
    if (format_ != Format::kTable) return;
    buffer_.clear();
    for (size_t i = 0; i < shown_.size(); ++i) {
      if (i != 0) buffer_ += ' ';
      if (i + 1 < shown_.size())
        append_padded(buffer_, shown_[i].header, shown_[i].width);
      else
        buffer_ += shown_[i].header;
    }
    fit_width(buffer_, 0, width_);
    if (color_) buffer_ = std::string(terminal::kBold) + buffer_ + std::string(terminal::kReset);
    buffer_ += '\n';
    out_.write(buffer_.data(), static_cast<std::streamsize>(buffer_.size()));
  }

  void print(std::span<const uint8_t> data) override {
    if (data.size() < min_size_) {
      report_short(data.size());
      return;
    }
    if (data.size() >= size_ + kPadding && !open_ended_ && !reported_long_) {
      reported_long_ = true;
      log::warn("a " + std::to_string(data.size()) + "-byte sample is larger than " + name_ + " (" +
                std::to_string(size_) +
                " bytes): the buffer may carry another type; the rest is not shown");
    }
    if (!filter_.empty() && !filter_.matches(data)) return;
    buffer_.clear();
    if (format_ == Format::kTable)
      render_row(data);
    else if (format_ == Format::kJson)
      render_json(data);
    else
      render_yaml(data);
    out_.write(buffer_.data(), static_cast<std::streamsize>(buffer_.size()));
  }

 private:
  Shown make_shown(int index, const std::string& time_name, bool first) {
    Shown s;
    s.column = index;
    if (index == kTime) {
      set_time_header(s);
      s.key = key_text(format_, time_name, first);
      return s;
    }
    if (index == kPackage) {
      s.header = "PACKAGE";
      s.width = std::max<size_t>(10, package_.size());
      s.key = key_text(format_, "package", first);
      return s;
    }
    const Column& c = columns_[static_cast<size_t>(index)];
    s.header = upper(c.name);
    s.width = std::max(c.width, s.header.size());
    s.key = key_text(format_, c.name, first);
    std::string decoded = decoded_key(c.format, c.name);
    // A decoded key never hides a member or the time of the same name.
    bool taken = decoded == time_name ||
                 std::any_of(columns_.begin(), columns_.end(),
                             [&](const Column& other) { return other.name == decoded; });
    if (!decoded.empty() && !taken) s.decoded_key = key_text(format_, decoded, false);
    return s;
  }

  void set_time_header(Shown& s) const {
    s.header = "TIME";
    switch (time_mode_) {
      case TimestampMode::kTime:
        s.width = 8;  // HH:MM:SS
        return;
      case TimestampMode::kIso:
        s.width = Rfc3339Cache::kSize;
        return;
      case TimestampMode::kRelative:
        s.header = "TIME(s)";
        s.width = 10;
        return;
      case TimestampMode::kNs:
        s.header = "TIME(ns)";
        s.width = 16;
        return;
      case TimestampMode::kNone:
        return;
    }
  }

  const Column* family() const { return family_ ? &columns_[*family_] : nullptr; }

  void render_row(std::span<const uint8_t> data) {
    for (size_t i = 0; i < shown_.size(); ++i) {
      Shown& s = shown_[i];
      if (i != 0) buffer_ += ' ';
      size_t used = 0;  // characters
      if (s.column == kTime) {
        size_t start = buffer_.size();
        append_time(data);
        used = buffer_.size() - start;
      } else if (s.column == kPackage) {
        buffer_ += package_;
        used = count_chars(package_);
      } else {
        used = append_cell(columns_[static_cast<size_t>(s.column)], data);
      }
      if (i + 1 < shown_.size() && used < s.width) buffer_.append(s.width - used, ' ');
      // A wider value widens its column for the rows after it, so they line up with it.
      if (i + 1 < shown_.size() && used > s.width) s.width = used;
    }
    fit_width(buffer_, 0, width_);
    buffer_ += '\n';
  }

  // Appends a table cell: the decoded text, else the raw value. Returns its characters.
  size_t append_cell(const Column& c, std::span<const uint8_t> data) {
    size_t start = buffer_.size();
    std::optional<std::string> text;
    if (c.format.kind != ValueKind::kRaw) text = decoded_text(c, data, family(), pid_of(data));
    if (text)
      buffer_ += *text;
    else
      append_raw(buffer_, btf_, c, data, false);
    // Only text can hold multi-byte characters; a number has one byte per character.
    if (text || c.cell == Cell::kChars || c.cell == Cell::kNested)
      return count_chars(std::string_view(buffer_).substr(start));
    return buffer_.size() - start;
  }

  void render_json(std::span<const uint8_t> data) {
    buffer_ += '{';
    for (const Shown& s : shown_) {
      buffer_ += s.key;
      if (s.column == kTime) {
        buffer_ += '"';
        buffer_ += rfc3339_.now();
        buffer_ += '"';
        continue;
      }
      if (s.column == kPackage) {
        append_json_string(buffer_, package_);
        continue;
      }
      const Column& c = columns_[static_cast<size_t>(s.column)];
      append_raw(buffer_, btf_, c, data, true);
      if (!s.decoded_key.empty())
        if (auto text = decoded_text(c, data, family(), pid_of(data))) {
          buffer_ += s.decoded_key;
          append_json_string(buffer_, *text);
        }
    }
    buffer_ += "}\n";
  }

  void render_yaml(std::span<const uint8_t> data) {
    buffer_ += "---\n";
    for (const Shown& s : shown_) {
      buffer_ += s.key;
      if (s.column == kTime) {
        buffer_ += '"';
        buffer_ += rfc3339_.now();
        buffer_ += "\"\n";
        continue;
      }
      if (s.column == kPackage) {
        append_yaml_string(buffer_, package_);
        buffer_ += '\n';
        continue;
      }
      const Column& c = columns_[static_cast<size_t>(s.column)];
      append_raw_yaml(buffer_, scratch_, btf_, c, data);
      buffer_ += '\n';
      if (!s.decoded_key.empty())
        if (auto text = decoded_text(c, data, family(), pid_of(data))) {
          buffer_ += s.decoded_key;
          append_yaml_string(buffer_, *text);
          buffer_ += '\n';
        }
    }
  }

  // The table's time cell for --timestamp.
  void append_time(std::span<const uint8_t> data) {
    switch (time_mode_) {
      case TimestampMode::kTime:
        buffer_ += clock_.now();
        return;
      case TimestampMode::kIso:
        buffer_ += rfc3339_.now();
        return;
      case TimestampMode::kRelative: {
        auto since = std::chrono::system_clock::now() - start_;
        append_seconds(buffer_,
                       std::chrono::duration_cast<std::chrono::microseconds>(since).count());
        return;
      }
      case TimestampMode::kNs: {
        if (kernel_time_) return append_raw(buffer_, btf_, columns_[*kernel_time_], data, false);
        timespec ts{};
        clock_gettime(CLOCK_MONOTONIC, &ts);  // the clock of bpf_ktime_get_ns
        append_uint(buffer_, static_cast<uint64_t>(ts.tv_sec) * 1000000000u +
                                 static_cast<uint64_t>(ts.tv_nsec));
        return;
      }
      case TimestampMode::kNone:
        return;
    }
  }

  void report_short(size_t got) {
    std::string message = "skipping a " + std::to_string(got) + "-byte sample of " + name_ +
                          ": the struct needs " + std::to_string(min_size_) + " bytes" +
                          (min_size_ < size_ ? " (up to its last member)" : "");
    if (short_samples_++ == 0)
      log::warn(message + " (further ones are logged with -v)");
    else
      log::debug(message);
  }

  const btf* btf_;
  std::string name_;
  // Perf buffers pad samples to 8 bytes; a larger excess suggests the wrong type.
  static constexpr size_t kPadding = 8;
  uint32_t size_;
  size_t min_size_ = size_;  // the shortest record that decodes (a cut trailing array)
  bool open_ended_ = false;
  bool reported_long_ = false;
  std::vector<Column> columns_;  // all members, shown or not (filters, family, pid)
  std::vector<Shown> shown_;
  std::optional<size_t> pid_column_;   // `pid`, else `tgid`, for pid_of
  std::optional<size_t> kernel_time_;  // `ts`..., for --timestamp=ns
  std::optional<size_t> family_;       // the address family, for kIp columns
  EventFilter filter_;
  Format format_;
  TimestampMode time_mode_;  // JSON and YAML: always kIso
  std::chrono::system_clock::time_point start_;
  size_t width_;
  std::string package_;
  bool color_;
  std::ostream& out_;
  std::string buffer_;
  std::string scratch_;  // YAML text before it is quoted
  TimeCache clock_;
  Rfc3339Cache rfc3339_;
  uint64_t short_samples_ = 0;
};

}  // namespace

Result<std::unique_ptr<EventPrinter>> EventPrinter::create(const btf* btf,
                                                           const package::ExportType& type,
                                                           const PrintOptions& options,
                                                           bool print_header, std::ostream& out) {
  if (btf == nullptr)
    return fail(ExitCode::kBadPackage, "the program has no BTF to decode events with");
  uint32_t id = LMP_TRY(find_export_struct(btf, type));
  const btf_type* t = btf__type_by_id(btf, id);
  auto columns = LMP_TRY(plan_columns(btf, id, type));
  auto printer =
      std::make_unique<EventPrinterImpl>(btf, type.name, t->size, std::move(columns), options, out);
  LMP_CHECK(printer->plan(options));
  LMP_CHECK(printer->compile_filters(options));
  if (options.format == Format::kTable && print_header) printer->print_header();
  return printer;
}

}  // namespace lmp::output
