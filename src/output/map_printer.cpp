// MapPrinter: renders one sampling round of a map as log2/linear histograms or a key/value table
// (table mode), or as one JSON line. Not a hot path: entries go through decode_value.
#include <algorithm>
#include <cctype>
#include <optional>
#include <string>
#include <vector>

#include "common/log.h"
#include "output/btf_util.h"
#include "output/histogram.h"
#include "output/map_autoprint.h"
#include "output/output.h"
#include "output/text_format.h"

namespace lmp::output {
namespace {

using nlohmann::json;
using namespace detail;

// kKeyedLog2: a map of integer counts whose key is the log2 slot index (automatic only).
enum class Kind { kLog2, kLinear, kKeyValue, kKeyedLog2 };

// Where a histogram's counts live inside the map value.
struct SlotLayout {
  uint32_t offset = 0;     // bytes into the value
  uint32_t elem_size = 0;  // 1, 2, 4 or 8
  uint32_t count = 0;      // number of slots
  bool is_signed = false;  // negative counts read as 0
  std::string member;      // "" when the value is the array itself
};

// An integer array usable as histogram slots, or nullopt.
std::optional<SlotLayout> slot_array(const btf* btf, uint32_t type_id) {
  ResolvedType t = resolve_type(btf, type_id);
  if (t.type == nullptr || !btf_is_array(t.type) || is_char_array(btf, t.type)) return {};
  ResolvedType elem = resolve_type(btf, btf_array(t.type)->type);
  if (elem.type == nullptr || !btf_is_int(elem.type) || !is_plain_int(elem.type)) return {};
  uint32_t size = elem.type->size;
  if (size != 1 && size != 2 && size != 4 && size != 8) return {};
  return SlotLayout{0, size, btf_array(t.type)->nelems,
                    (btf_int_encoding(elem.type) & BTF_INT_SIGNED) != 0, ""};
}

// The slots of a histogram value: the value itself when it is an integer array, else its member
// named "slots", else its first integer array member.
Result<SlotLayout> find_slots(const btf* btf, uint32_t value_type_id, const std::string& map) {
  if (auto direct = slot_array(btf, value_type_id)) return *direct;
  ResolvedType v = resolve_type(btf, value_type_id);
  std::optional<SlotLayout> found;
  if (v.type != nullptr && btf_is_composite(v.type)) {
    const btf_member* m = btf_members(v.type);
    for (uint16_t i = 0; i < btf_vlen(v.type); ++i, ++m) {
      auto slots = slot_array(btf, m->type);
      if (!slots || btf_member_bitfield_size(v.type, i) != 0) continue;
      slots->offset = btf_member_bit_offset(v.type, i) / 8;
      slots->member = name_of(btf, m->name_off);
      if (slots->member == "slots") return *slots;
      if (!found) found = slots;
    }
  }
  if (found) return *found;
  return fail(ExitCode::kBadPackage,
              "map " + map + ": a histogram needs a value that is, or holds, an integer array",
              "declare the value as e.g. struct hist { u32 slots[26]; }");
}

// Text of a decoded value inside a table cell or label: strings plain, the rest compact JSON.
std::string cell_text(const json& value) {
  if (value.is_string()) return value.get<std::string>();
  return value.dump(-1, ' ', false, json::error_handler_t::replace);
}

// Member `name` of a decoded struct, or null.
json member_of(const json& object, const std::string& name) {
  if (!object.is_object()) return json();
  auto it = object.find(name);
  return it == object.end() ? json() : *it;
}

std::string upper(std::string text) {
  for (char& c : text) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return text;
}

class MapPrinterImpl final : public MapPrinter {
 public:
  MapPrinterImpl(const btf* btf, std::string name, uint32_t key_id, uint32_t value_id, Kind kind,
                 SlotLayout slots, std::string unit, Format format, std::ostream& out,
                 bool automatic = false)
      : btf_(btf),
        name_(std::move(name)),
        key_id_(key_id),
        value_id_(value_id),
        kind_(kind),
        slots_(std::move(slots)),
        unit_(std::move(unit)),
        format_(format),
        out_(out),
        automatic_(automatic) {
    ResolvedType v = resolve_type(btf_, value_id_);
    value_is_int_ = v.type != nullptr && btf_is_int(v.type);
    if (key_id_ != 0) key_members_ = member_names(btf_, key_id_);
    if (value_id_ != 0) value_members_ = member_names(btf_, value_id_);
  }

  void print(const std::vector<MapEntry>& entries) override {
    try {
      print_round(entries);
    } catch (const std::exception& e) {  // nlohmann::json or allocation failures stay inside
      log::warn("map " + name_ + ": cannot print entries: " + e.what());
    }
  }

 private:
  void print_round(const std::vector<MapEntry>& entries) {
    std::vector<Row> rows;
    if (kind_ == Kind::kKeyedLog2)
      rows.push_back(keyed_slots(entries));
    else
      for (const MapEntry& e : entries)
        if (auto row = decode_entry(e)) rows.push_back(std::move(*row));
    if (kind_ != Kind::kKeyValue)
      std::erase_if(rows, [](const Row& r) {
        return std::all_of(r.counts.begin(), r.counts.end(), [](uint64_t c) { return c == 0; });
      });
    if (automatic_ && kind_ == Kind::kLog2 && rows.empty() && !entries.empty() &&
        value_members_.size() > 1) {
      // Empty slots beside members that count (hardirqs without -d): shown as a table.
      kind_ = Kind::kKeyValue;
      print_round(entries);
      kind_ = Kind::kLog2;
      return;
    }
    if (automatic_ && rows.empty()) return;  // nothing counted yet: no round to show
    sort_rows(rows);
    std::string text;
    if (format_ == Format::kJson)
      text = json_line(rows);
    else if (kind_ == Kind::kKeyValue)
      text = kv_table(rows);
    else
      text = histograms(rows);
    out_.write(text.data(), static_cast<std::streamsize>(text.size()));
  }

  struct Row {
    json key;
    json value;
    bool key_is_zero = false;
    std::vector<uint64_t> counts;  // histogram kinds only
  };

  // Decodes with BTF, or shows raw bytes as a hex string when the map has no BTF type.
  Result<json> decode(uint32_t id, const std::vector<uint8_t>& bytes) const {
    if (id != 0) return decode_value(btf_, id, bytes);
    std::string hex = "0x";
    for (uint8_t b : bytes) {
      hex += "0123456789abcdef"[b >> 4];
      hex += "0123456789abcdef"[b & 0xf];
    }
    return json(std::move(hex));
  }

  // One histogram of a map whose keys are slot indexes (keys past kMaxKeyedSlot are ignored).
  Row keyed_slots(const std::vector<MapEntry>& entries) const {
    constexpr uint64_t kMaxKeyedSlot = 1024;
    Row row{json(), json(), true, {}};
    for (const MapEntry& e : entries) {
      if (e.key.empty() || e.key.size() > 8 || e.value.empty() || e.value.size() > 8) continue;
      uint64_t slot = load_uint(e.key.data(), static_cast<uint32_t>(e.key.size()));
      if (slot >= kMaxKeyedSlot) continue;
      if (row.counts.size() <= slot) row.counts.resize(slot + 1, 0);
      row.counts[slot] = load_uint(e.value.data(), static_cast<uint32_t>(e.value.size()));
    }
    return row;
  }

  std::optional<Row> decode_entry(const MapEntry& e) const {
    auto key = decode(key_id_, e.key);
    auto value = decode(value_id_, e.value);
    if (!key || !value) {
      log::debug("map " + name_ +
                 ": skipping an entry: " + (key ? value.error().message : key.error().message));
      return std::nullopt;
    }
    Row row{std::move(*key), std::move(*value), false, {}};
    row.key_is_zero = std::all_of(e.key.begin(), e.key.end(), [](uint8_t b) { return b == 0; });
    if (kind_ != Kind::kKeyValue) {
      if (e.value.size() < slots_.offset + size_t{slots_.count} * slots_.elem_size)
        return std::nullopt;
      for (uint32_t i = 0; i < slots_.count; ++i) {
        uint64_t raw =
            load_uint(e.value.data() + slots_.offset + i * slots_.elem_size, slots_.elem_size);
        if (slots_.is_signed && sign_extend(raw, slots_.elem_size * 8) < 0) raw = 0;
        row.counts.push_back(raw);
      }
    }
    return row;
  }

  // The number a counter table is sorted by: an integer value, or (automatic maps) the
  // first member of a struct value when it is a number; null otherwise.
  json sort_value(const Row& r) const {
    if (value_is_int_) return r.value;
    if (automatic_ && r.value.is_object() && !value_members_.empty()) {
      json first = member_of(r.value, value_members_.front());
      if (first.is_number()) return first;
    }
    return json();
  }

  // Counters: largest first (a top-N table); otherwise by key.
  void sort_rows(std::vector<Row>& rows) const {
    if (kind_ == Kind::kKeyValue && (value_is_int_ || automatic_))
      std::stable_sort(rows.begin(), rows.end(), [this](const Row& a, const Row& b) {
        json va = sort_value(a), vb = sort_value(b);
        return vb < va || (!(va < vb) && a.key < b.key);
      });
    else
      std::stable_sort(rows.begin(), rows.end(),
                       [](const Row& a, const Row& b) { return a.key < b.key; });
  }

  std::string json_line(const std::vector<Row>& rows) {
    json line = {{"time", std::string(clock_.now())}, {"map", name_}, {"entries", json::array()}};
    for (const Row& r : rows) {
      json entry = {{"key", r.key}, {"value", r.value}};
      if (kind_ != Kind::kKeyValue) {
        json buckets = json::array();
        for (const Bucket& b :
             kind_ == Kind::kLinear ? linear_buckets(r.counts) : log2_buckets(r.counts))
          buckets.push_back({{"low", b.low}, {"high", b.high}, {"count", b.count}});
        entry["buckets"] = std::move(buckets);
      }
      line["entries"].push_back(std::move(entry));
    }
    return line.dump(-1, ' ', false, json::error_handler_t::replace) + "\n";
  }

  // "name = value" pairs of the key and of the value's non-slot members; members with
  // empty text (a comm never filled in) are left out.
  std::string label(const Row& r, bool only_one) const {
    std::string text;
    auto add = [&](const std::string& name, const json& v) {
      std::string value = cell_text(v);
      if (value.empty()) return;
      if (!text.empty()) text += ' ';
      text += name + " = " + value;
    };
    if (!(only_one && r.key_is_zero)) {
      if (r.key.is_object())
        for (const std::string& name : key_members_) add(name, member_of(r.key, name));
      else
        add("key", r.key);
    }
    if (r.value.is_object())
      for (const std::string& name : value_members_)
        if (name != slots_.member) add(name, member_of(r.value, name));
    return text;
  }

  // "HH:MM:SS", and for automatic maps " NAME" (several maps print one after another).
  std::string time_line() {
    std::string text(clock_.now());
    if (automatic_) text += " " + name_;
    return text + '\n';
  }

  std::string histograms(const std::vector<Row>& rows) {
    std::string text = time_line();
    for (const Row& r : rows) {
      std::string head = label(r, rows.size() == 1);
      if (!head.empty()) text += head + '\n';
      if (kind_ == Kind::kLinear)
        render_linear_hist(text, r.counts, unit_);
      else
        render_log2_hist(text, r.counts, unit_);
      text += '\n';
    }
    return text;
  }

  // Columns: key members (or KEY) then value members (or VALUE), widths fitted to the round.
  std::string kv_table(const std::vector<Row>& rows) {
    std::vector<std::string> headers;
    std::vector<std::vector<std::string>> cells(rows.size());
    auto add_columns = [&](json Row::*field, const std::vector<std::string>& members,
                           const char* plain) {
      if (!members.empty()) {
        for (const std::string& name : members) headers.push_back(upper(name));
        for (size_t i = 0; i < rows.size(); ++i)
          for (const std::string& name : members)
            cells[i].push_back(cell_text(member_of(rows[i].*field, name)));
      } else {
        headers.push_back(plain);
        for (size_t i = 0; i < rows.size(); ++i) cells[i].push_back(cell_text(rows[i].*field));
      }
    };
    add_columns(&Row::key, key_members_, "KEY");
    add_columns(&Row::value, value_members_, "VALUE");
    std::vector<size_t> widths;
    for (const std::string& h : headers) widths.push_back(std::max<size_t>(h.size(), 7));
    for (const auto& row : cells)
      for (size_t c = 0; c < row.size(); ++c) widths[c] = std::max(widths[c], row[c].size());
    std::string text = time_line();
    auto add_line = [&](const std::vector<std::string>& line) {
      for (size_t c = 0; c < line.size(); ++c) {
        if (c + 1 < line.size()) {
          append_padded(text, line[c], widths[c]);
          text += ' ';
        } else {
          text += line[c];
        }
      }
      text += '\n';
    };
    add_line(headers);
    for (const auto& row : cells) add_line(row);
    return text;
  }

  const btf* btf_;
  std::string name_;
  uint32_t key_id_;
  uint32_t value_id_;
  Kind kind_;
  SlotLayout slots_;
  std::string unit_;
  Format format_;
  std::ostream& out_;
  bool automatic_ = false;  // chosen by create_automatic: titled, empty rounds left out
  bool value_is_int_ = false;
  std::vector<std::string> key_members_;    // declaration order; empty unless a struct
  std::vector<std::string> value_members_;  // declaration order; empty unless a struct
  TimeCache clock_;
};

}  // namespace

Result<std::unique_ptr<MapPrinter>> MapPrinter::create(const btf* btf, std::string map_name,
                                                       uint32_t key_type_id, uint32_t value_type_id,
                                                       const package::Sample& sample,
                                                       const PrintOptions& options,
                                                       std::ostream& out) {
  const Format format = options.format;
  Kind kind;
  if (sample.type == "log2_hist")
    kind = Kind::kLog2;
  else if (sample.type == "linear_hist")
    kind = Kind::kLinear;
  else if (sample.type == "default_kv" || sample.type.empty())
    kind = Kind::kKeyValue;
  else
    return fail(ExitCode::kBadPackage,
                "map " + map_name + ": unknown @sample type '" + sample.type + "'",
                "use log2_hist, linear_hist or default_kv");
  if ((key_type_id != 0 || value_type_id != 0) && btf == nullptr)
    return fail(ExitCode::kBadPackage, "map " + map_name + ": no BTF to decode entries with");
  for (uint32_t id : {key_type_id, value_type_id})
    if (id != 0 && resolve_type(btf, id).type == nullptr)
      return fail(ExitCode::kBadPackage,
                  "map " + map_name + ": BTF type id " + std::to_string(id) + " is invalid");
  SlotLayout slots;
  if (kind != Kind::kKeyValue) {
    if (value_type_id == 0)
      return fail(ExitCode::kBadPackage, "map " + map_name + ": a histogram map needs BTF types");
    slots = LMP_TRY(find_slots(btf, value_type_id, map_name));
  }
  std::string unit = sample.unit.empty() ? "value" : sample.unit;
  return std::make_unique<MapPrinterImpl>(btf, std::move(map_name), key_type_id, value_type_id,
                                          kind, std::move(slots), std::move(unit), format, out);
}

Result<std::unique_ptr<MapPrinter>> create_automatic_map_printer(const btf* btf,
                                                                 std::string map_name,
                                                                 uint32_t key_type_id,
                                                                 uint32_t value_type_id,
                                                                 const PrintOptions& options,
                                                                 std::ostream& out) {
  const Format format = options.format;
  if (btf == nullptr) key_type_id = value_type_id = 0;  // raw bytes, shown as hex
  for (uint32_t id : {key_type_id, value_type_id})
    if (id != 0 && resolve_type(btf, id).type == nullptr)
      return fail(ExitCode::kBadPackage,
                  "map " + map_name + ": BTF type id " + std::to_string(id) + " is invalid");
  Kind kind = Kind::kKeyValue;
  SlotLayout slots;
  if (value_type_id != 0) {
    ResolvedType key = resolve_type(btf, key_type_id);
    ResolvedType value = resolve_type(btf, value_type_id);
    bool int_key = key.type != nullptr && btf_is_int(key.type) && key.type->size <= 8;
    bool int_value = btf_is_int(value.type) && value.type->size <= 8;
    bool named_hist =
        map_name.find("hist") != std::string::npos || map_name.find("slot") != std::string::npos;
    auto found = find_slots(btf, value_type_id, map_name);
    if (found && (found->member.empty() || found->member == "slots")) {
      kind = Kind::kLog2;
      slots = std::move(*found);
    } else if (int_key && int_value && named_hist) {
      kind = Kind::kKeyedLog2;
    }
  }
  return std::make_unique<MapPrinterImpl>(btf, std::move(map_name), key_type_id, value_type_id,
                                          kind, std::move(slots), "value", format, out, true);
}

}  // namespace lmp::output
