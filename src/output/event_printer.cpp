// EventPrinter: renders ring/perf buffer samples of one export type as table rows or JSON lines.
// Hot path: create() compiles the struct into a flat list of columns (offset, kind, size, enum
// names, width); print() renders with std::to_chars into one reused buffer and writes it with
// a single ostream::write. Only nested structs and non-char arrays go through decode_value.
#include <algorithm>
#include <cctype>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "common/log.h"
#include "output/btf_util.h"
#include "output/output.h"
#include "output/text_format.h"

namespace lmp::output {
namespace {

using namespace detail;

enum class Cell { kUnsigned, kSigned, kBool, kEnum, kFloat, kDouble, kHex128, kChars, kNested };

struct Column {
  std::string name;
  std::string header;    // upper-cased name
  std::string json_key;  // `"name":`, with a leading comma except for the first column
  Cell cell = Cell::kUnsigned;
  uint32_t offset = 0;      // bytes from the start of the event
  uint32_t size = 0;        // bytes; for kChars 0 means "to the end of the sample"
  uint32_t bit_offset = 0;  // bitfields only: bits from the start of the event
  uint32_t bit_size = 0;    // nonzero: a bitfield of this many bits
  uint32_t type_id = 0;     // kNested: the member's type, for decode_value
  std::shared_ptr<const EnumTable> enums;
  size_t width = 0;  // table column width
  // An array member: its element type and size, so a record cut inside it still decodes.
  uint32_t elem_type_id = 0;
  uint32_t elem_size = 0;
};

constexpr size_t kNumberWidth = 7;
constexpr size_t kPointerWidth = 16;
constexpr size_t kMinStringWidth = 7;
constexpr size_t kMaxStringWidth = 16;

class Planner {
 public:
  explicit Planner(const btf* btf) : btf_(btf) {}

  Result<void> add_members(const btf_type* t, uint32_t base_bits, int depth) {
    if (depth > 8) return fail(ExitCode::kBadPackage, "export struct nests too deeply");
    const btf_member* m = btf_members(t);
    for (uint16_t i = 0; i < btf_vlen(t); ++i, ++m) {
      Column c;
      c.name = name_of(btf_, m->name_off);
      uint32_t bit_off = base_bits + btf_member_bit_offset(t, i);
      ResolvedType mt = resolve_type(btf_, m->type);
      if (mt.type == nullptr)
        return fail(ExitCode::kBadPackage, "member " + c.name + " has an invalid BTF type");
      if (c.name.empty() && btf_is_composite(mt.type)) {
        LMP_CHECK(add_members(mt.type, bit_off, depth + 1));  // anonymous struct/union
        continue;
      }
      c.offset = bit_off / 8;
      c.type_id = m->type;
      LMP_CHECK(classify(c, mt, bit_off, btf_member_bitfield_size(t, i)));
      columns.push_back(std::move(c));
    }
    return {};
  }

  std::vector<Column> columns;

 private:
  Result<void> classify(Column& c, const ResolvedType& mt, uint32_t bit_off, uint32_t bitfield) {
    const btf_type* t = mt.type;
    c.width = kNumberWidth;
    if (bitfield == 0 && bit_off % 8 != 0)
      return fail(ExitCode::kBadPackage, "member " + c.name + " is not byte aligned");
    if (btf_is_int(t)) {
      uint8_t enc = btf_int_encoding(t);
      c.cell = (enc & BTF_INT_BOOL)     ? Cell::kBool
               : (enc & BTF_INT_SIGNED) ? Cell::kSigned
                                        : Cell::kUnsigned;
      c.size = t->size;
      if (bitfield != 0) {
        c.bit_offset = bit_off;
        c.bit_size = bitfield;
      } else if (t->size == 16 && is_plain_int(t)) {
        c.cell = Cell::kHex128;
        c.width = 34;
      } else if (!is_plain_int(t) ||
                 (t->size != 1 && t->size != 2 && t->size != 4 && t->size != 8)) {
        c.bit_offset = bit_off + btf_int_offset(t);
        c.bit_size = btf_int_bits(t);
        if (c.bit_size == 0 || c.bit_size > 64)
          return fail(ExitCode::kBadPackage, "member " + c.name + ": unsupported int encoding");
      }
    } else if (btf_is_any_enum(t) &&
               (t->size == 1 || t->size == 2 || t->size == 4 || t->size == 8)) {
      c.cell = Cell::kEnum;
      c.size = t->size;
      c.enums = std::make_shared<EnumTable>(enum_table(btf_, t));
      if (bitfield != 0) {
        c.bit_offset = bit_off;
        c.bit_size = bitfield;
      }
    } else if (bitfield != 0) {
      return fail(ExitCode::kBadPackage, "bitfield " + c.name + " is not an integer");
    } else if (btf_is_ptr(t)) {
      c.cell = Cell::kUnsigned;
      c.size = static_cast<uint32_t>(btf__resolve_size(btf_, mt.id));
      c.width = kPointerWidth;
    } else if (btf_is_float(t) && (t->size == 4 || t->size == 8)) {
      c.cell = t->size == 4 ? Cell::kFloat : Cell::kDouble;
      c.size = t->size;
    } else if (is_char_array(btf_, t)) {
      c.cell = Cell::kChars;
      c.elem_size = 1;
      c.size = btf_array(t)->nelems;  // 0: flexible array member, the rest of the sample
      size_t text = c.size == 0 ? kMaxStringWidth : c.size - 1;
      c.width = std::clamp(text, kMinStringWidth, kMaxStringWidth);
    } else {
      int64_t size = btf__resolve_size(btf_, mt.id);
      if (size < 0)
        return fail(ExitCode::kBadPackage, "member " + c.name + " has a type without a size");
      c.cell = Cell::kNested;
      c.size = static_cast<uint32_t>(size);
      c.width = 0;
      if (btf_is_array(t)) {
        int64_t elem = btf__resolve_size(btf_, btf_array(t)->type);
        if (elem > 0) {
          c.elem_type_id = btf_array(t)->type;
          c.elem_size = static_cast<uint32_t>(elem);
        }
      }
    }
    return {};
  }

  const btf* btf_;
};

class EventPrinterImpl final : public EventPrinter {
 public:
  EventPrinterImpl(const btf* btf, std::string name, uint32_t size, std::vector<Column> columns,
                   Format format, std::ostream& out)
      : btf_(btf),
        name_(std::move(name)),
        size_(size),
        columns_(std::move(columns)),
        format_(format),
        out_(out) {
    for (size_t i = 0; i < columns_.size(); ++i) {
      Column& c = columns_[i];
      c.header = c.name;
      for (char& ch : c.header)
        ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
      c.width = std::max(c.width, c.header.size());
      c.json_key = i == 0 ? "" : ",";
      append_json_string(c.json_key, c.name);
      c.json_key += ':';
    }
    buffer_.reserve(256);
    // A struct ending in an array may arrive cut inside that array (variable-length records).
    if (!columns_.empty() && columns_.back().elem_size != 0 && columns_.back().bit_size == 0) {
      min_size_ = std::min<size_t>(size_, columns_.back().offset);
      open_ended_ = columns_.back().size == 0;  // a flexible array member: longer is normal
    }
    for (const char* name : {"tgid", "pid"})
      for (size_t i = 0; i < columns_.size(); ++i) {
        const Column& c = columns_[i];
        if (c.name == name && (c.cell == Cell::kSigned || c.cell == Cell::kUnsigned) &&
            c.bit_size == 0 && (c.size == 4 || c.size == 8))
          pid_column_ = i;
      }
  }

  std::optional<int64_t> pid_of(std::span<const uint8_t> data) const override {
    if (!pid_column_) return std::nullopt;
    const Column& c = columns_[*pid_column_];
    if (data.size() < c.offset + c.size) return std::nullopt;
    uint64_t raw = load_uint(data.data() + c.offset, c.size);
    return c.cell == Cell::kSigned ? sign_extend(raw, c.size * 8) : static_cast<int64_t>(raw);
  }

  void print_header() {
    buffer_.clear();
    append_padded(buffer_, "TIME", 8);
    for (size_t i = 0; i < columns_.size(); ++i) {
      buffer_ += ' ';
      if (i + 1 < columns_.size())
        append_padded(buffer_, columns_[i].header, columns_[i].width);
      else
        buffer_ += columns_[i].header;
    }
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
    buffer_.clear();
    if (format_ == Format::kJson) {
      buffer_ += '{';
      for (const Column& c : columns_) {
        buffer_ += c.json_key;
        render(c, data, true);
      }
      buffer_ += "}\n";
    } else {
      buffer_ += clock_.now();
      for (size_t i = 0; i < columns_.size(); ++i) {
        const Column& c = columns_[i];
        buffer_ += ' ';
        size_t start = buffer_.size();
        render(c, data, false);
        size_t used = buffer_.size() - start;
        if (i + 1 < columns_.size() && used < c.width) buffer_.append(c.width - used, ' ');
      }
      buffer_ += '\n';
    }
    out_.write(buffer_.data(), static_cast<std::streamsize>(buffer_.size()));
  }

 private:
  void render(const Column& c, std::span<const uint8_t> data, bool json) {
    const uint8_t* p = data.data() + c.offset;
    switch (c.cell) {
      case Cell::kUnsigned:
        append_uint(buffer_, c.bit_size ? extract_bits(data, c.bit_offset, c.bit_size)
                                        : load_uint(p, c.size));
        return;
      case Cell::kSigned:
        append_int(buffer_, c.bit_size ? sign_extend(extract_bits(data, c.bit_offset, c.bit_size),
                                                     c.bit_size)
                                       : sign_extend(load_uint(p, c.size), c.size * 8));
        return;
      case Cell::kBool: {
        uint64_t v =
            c.bit_size ? extract_bits(data, c.bit_offset, c.bit_size) : load_uint(p, c.size);
        buffer_ += v != 0 ? "true" : "false";
        return;
      }
      case Cell::kEnum: {
        uint64_t raw =
            c.bit_size ? extract_bits(data, c.bit_offset, c.bit_size) : load_uint(p, c.size);
        if (c.bit_size && c.enums->is_signed)
          raw = static_cast<uint64_t>(sign_extend(raw, c.bit_size));
        if (const std::string* name = c.enums->find(raw)) {
          if (json)
            append_json_string(buffer_, *name);
          else
            buffer_ += *name;
        } else if (c.enums->is_signed) {
          append_int(buffer_, sign_extend(raw, c.bit_size ? c.bit_size : c.size * 8));
        } else {
          append_uint(buffer_, raw);
        }
        return;
      }
      case Cell::kFloat: {
        float f;
        std::memcpy(&f, p, 4);
        append_double(buffer_, f, json);
        return;
      }
      case Cell::kDouble: {
        double d;
        std::memcpy(&d, p, 8);
        append_double(buffer_, d, json);
        return;
      }
      case Cell::kHex128:
        if (json) buffer_ += '"';
        append_hex128(buffer_, p);
        if (json) buffer_ += '"';
        return;
      case Cell::kChars: {
        size_t rest = data.size() - c.offset;  // a cut record: only the part that was sent
        size_t n = c.size == 0 ? rest : std::min<size_t>(c.size, rest);
        if (json) buffer_ += '"';
        append_c_string(buffer_, data.subspan(c.offset, n), json);
        if (json) buffer_ += '"';
        return;
      }
      case Cell::kNested: {
        if (data.size() < c.offset + c.size) return render_partial_array(c, data);
        auto value = decode_value(btf_, c.type_id, data.subspan(c.offset));
        if (!value) {
          buffer_ += json ? "null" : "?";
          return;
        }
        buffer_ += value->dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
        return;
      }
    }
  }

  // The elements of a trailing array that a cut record holds, as a JSON array.
  void render_partial_array(const Column& c, std::span<const uint8_t> data) {
    nlohmann::json items = nlohmann::json::array();
    for (size_t at = c.offset; at + c.elem_size <= data.size(); at += c.elem_size) {
      auto value = decode_value(btf_, c.elem_type_id, data.subspan(at, c.elem_size));
      items.push_back(value ? std::move(*value) : nlohmann::json());
    }
    buffer_ += items.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
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
  std::vector<Column> columns_;
  std::optional<size_t> pid_column_;  // `pid`, else `tgid`, for pid_of
  Format format_;
  std::ostream& out_;
  std::string buffer_;
  TimeCache clock_;
  uint64_t short_samples_ = 0;
};

// The struct for `type`: by id (checked by name and member count), else by name.
Result<uint32_t> find_export_struct(const btf* btf, const package::ExportType& type) {
  if (const btf_type* t = btf__type_by_id(btf, type.type_id);
      type.type_id != 0 && t != nullptr && btf_is_composite(t) &&
      name_of(btf, t->name_off) == type.name &&
      (type.members.empty() || btf_vlen(t) == type.members.size()))
    return type.type_id;
  if (!type.name.empty())
    if (uint32_t id = find_composite_by_name(btf, type.name); id != 0) return id;
  return fail(ExitCode::kBadPackage,
              "export type '" + type.name + "' (BTF id " + std::to_string(type.type_id) +
                  ") is not a struct in the program's BTF",
              "the package's export_types do not match its bpf_object; rebuild it with lmp build");
}

}  // namespace

Result<std::unique_ptr<EventPrinter>> EventPrinter::create(const btf* btf,
                                                           const package::ExportType& type,
                                                           const PrintOptions& options,
                                                           bool print_header,
                                                           std::ostream& out) {
  if (btf == nullptr)
    return fail(ExitCode::kBadPackage, "the program has no BTF to decode events with");
  uint32_t id = LMP_TRY(find_export_struct(btf, type));
  const btf_type* t = btf__type_by_id(btf, id);
  Planner planner(btf);
  if (auto planned = planner.add_members(t, 0, 0); !planned)
    return std::unexpected(std::move(planned.error()).context("export type " + type.name));
  auto printer = std::make_unique<EventPrinterImpl>(btf, type.name, t->size,
                                                    std::move(planner.columns), options.format, out);
  if (options.format == Format::kTable && print_header) printer->print_header();
  return printer;
}

}  // namespace lmp::output
