// MapPrinter: decodes one sampling round of a map into a MapRound (map_round.h): entries
// decoded with BTF, member texts added, sorted, cut to --top, stamped with the interval
// they cover; then rendered as table text, a JSON line or a YAML document. Not a hot path.
#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include "common/log.h"
#include "output/btf_util.h"
#include "output/map_autoprint.h"
#include "output/map_round.h"
#include "output/output.h"

namespace lmp::output {
namespace {

using nlohmann::json;
using namespace detail;
using std::chrono::system_clock;

// Member `name` of a decoded struct, or null.
json member_of(const json& object, const std::string& name) {
  if (!object.is_object()) return json();
  auto it = object.find(name);
  return it == object.end() ? json() : *it;
}

// What does not change from round to round.
struct MapShape {
  std::string name;
  uint32_t key_id = 0;
  uint32_t value_id = 0;
  MapKind kind = MapKind::kKeyValue;
  SlotLayout slots;
  std::string unit = "value";
  bool cleared = false;    // the map is emptied after each round: rounds cover one interval
  bool automatic = false;  // chosen by create_automatic: titled, empty rounds left out
};

class MapPrinterImpl final : public MapPrinter {
 public:
  MapPrinterImpl(const btf* btf, MapShape shape, const PrintOptions& options, std::ostream& out)
      : btf_(btf),
        shape_(std::move(shape)),
        format_(options.format),
        width_(options.width),
        top_(options.top),
        start_(options.start),
        previous_end_(options.start),
        metrics_(options.metrics),
        package_(options.package),
        quiet_(options.quiet),
        package_column_(options.package_column),
        out_(out) {
    ResolvedType v = resolve_type(btf_, shape_.value_id);
    value_is_int_ = v.type != nullptr && btf_is_int(v.type);
    if (shape_.key_id != 0) key_members_ = member_names(btf_, shape_.key_id);
    if (shape_.value_id != 0) value_members_ = member_names(btf_, shape_.value_id);
    key_formats_ = MemberFormats::of(btf_, shape_.key_id);
    value_formats_ = MemberFormats::of(btf_, shape_.value_id);
  }

  void print(const std::vector<MapEntry>& entries) override {
    auto now = system_clock::now();
    MapInterval interval{shape_.cleared ? previous_end_ : start_, now};
    previous_end_ = now;
    try {
      print_round(entries, interval, shape_.kind);
    } catch (const std::exception& e) {  // nlohmann::json or allocation failures stay inside
      log::warn("map " + shape_.name + ": cannot print entries: " + e.what());
    }
  }

 private:
  void print_round(const std::vector<MapEntry>& entries, const MapInterval& interval,
                   MapKind kind) {
    MapRound round;
    round.map = shape_.name;
    round.titled = shape_.automatic;
    if (package_column_) round.package = package_;
    round.kind = kind;
    round.unit = shape_.unit;
    round.slots_member = shape_.slots.member;
    round.key_members = key_members_;
    round.value_members = value_members_;
    round.interval = interval;
    if (kind == MapKind::kKeyedLog2)
      round.rows.push_back(keyed_slots(entries));
    else
      for (const MapEntry& e : entries)
        if (auto row = decode_entry(e, kind)) round.rows.push_back(std::move(*row));
    if (kind != MapKind::kKeyValue)
      std::erase_if(round.rows, [](const MapRow& r) {
        return std::all_of(r.counts.begin(), r.counts.end(), [](uint64_t c) { return c == 0; });
      });
    if (shape_.automatic && kind == MapKind::kLog2 && round.rows.empty() && !entries.empty() &&
        value_members_.size() > 1)
      // Empty slots beside members that count (hardirqs without -d): shown as a table.
      return print_round(entries, interval, MapKind::kKeyValue);
    if (shape_.automatic && round.rows.empty()) return;  // nothing counted yet: no round
    sort_rows(round.rows, kind);
    round.total = round.rows.size();
    if (metrics_) export_map_round(round, shape_.cleared, *metrics_, package_);
    if (quiet_) return;
    if (kind == MapKind::kKeyValue && top_ > 0 && round.rows.size() > top_ && sorts_by_value())
      round.rows.resize(top_);
    std::string text = format_ == Format::kTable ? render_map_table(round, width_)
                                                 : render_map_data(round, format_);
    out_.write(text.data(), static_cast<std::streamsize>(text.size()));
  }

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
  MapRow keyed_slots(const std::vector<MapEntry>& entries) const {
    constexpr uint64_t kMaxKeyedSlot = 1024;
    MapRow row;
    row.key_is_zero = true;
    for (const MapEntry& e : entries) {
      if (e.key.empty() || e.key.size() > 8 || e.value.empty() || e.value.size() > 8) continue;
      uint64_t slot = load_uint(e.key.data(), static_cast<uint32_t>(e.key.size()));
      if (slot >= kMaxKeyedSlot) continue;
      if (row.counts.size() <= slot) row.counts.resize(slot + 1, 0);
      row.counts[slot] = load_uint(e.value.data(), static_cast<uint32_t>(e.value.size()));
    }
    return row;
  }

  std::optional<MapRow> decode_entry(const MapEntry& e, MapKind kind) const {
    auto key = decode(shape_.key_id, e.key);
    auto value = decode(shape_.value_id, e.value);
    if (!key || !value) {
      log::debug("map " + shape_.name +
                 ": skipping an entry: " + (key ? value.error().message : key.error().message));
      return std::nullopt;
    }
    MapRow row;
    row.key = std::move(*key);
    row.value = std::move(*value);
    row.key_is_zero = std::all_of(e.key.begin(), e.key.end(), [](uint8_t b) { return b == 0; });
    row.key_text = key_formats_.decode(e.key);
    row.value_text = value_formats_.decode(e.value);
    if (kind != MapKind::kKeyValue) {
      const SlotLayout& slots = shape_.slots;
      if (e.value.size() < slots.offset + size_t{slots.count} * slots.elem_size)
        return std::nullopt;
      for (uint32_t i = 0; i < slots.count; ++i) {
        uint64_t raw =
            load_uint(e.value.data() + slots.offset + i * slots.elem_size, slots.elem_size);
        if (slots.is_signed && sign_extend(raw, slots.elem_size * 8) < 0) raw = 0;
        row.counts.push_back(raw);
      }
    }
    return row;
  }

  // Whether key/value rows sort by value: an integer value, or a struct whose first member
  // is a number.
  bool sorts_by_value() const {
    if (value_is_int_) return true;
    if (value_members_.empty()) return false;
    ResolvedType v = resolve_type(btf_, shape_.value_id);
    if (v.type == nullptr || !btf_is_composite(v.type) || btf_vlen(v.type) == 0) return false;
    ResolvedType first = resolve_type(btf_, btf_members(v.type)->type);
    return first.type != nullptr && (btf_is_int(first.type) || btf_is_enum(first.type) ||
                                     btf_is_enum64(first.type) || btf_is_float(first.type));
  }

  // The number a counter table is sorted by (null when there is none).
  json sort_value(const MapRow& r) const {
    if (value_is_int_) return r.value;
    json first = member_of(r.value, value_members_.front());
    return first.is_number() ? first : json();
  }

  // Counters: largest first (a top-N table); otherwise by key.
  void sort_rows(std::vector<MapRow>& rows, MapKind kind) const {
    if (kind == MapKind::kKeyValue && sorts_by_value())
      std::stable_sort(rows.begin(), rows.end(), [this](const MapRow& a, const MapRow& b) {
        json va = sort_value(a), vb = sort_value(b);
        return vb < va || (!(va < vb) && a.key < b.key);
      });
    else
      std::stable_sort(rows.begin(), rows.end(),
                       [](const MapRow& a, const MapRow& b) { return a.key < b.key; });
  }

  const btf* btf_;
  MapShape shape_;
  Format format_;
  std::size_t width_;
  std::size_t top_;
  system_clock::time_point start_;
  system_clock::time_point previous_end_;  // the end of the previous round's interval
  MetricsRegistry* metrics_;
  std::string package_;
  bool quiet_;
  bool package_column_;
  std::ostream& out_;
  bool value_is_int_ = false;
  std::vector<std::string> key_members_;    // declaration order; empty unless a struct
  std::vector<std::string> value_members_;  // declaration order; empty unless a struct
  MemberFormats key_formats_;
  MemberFormats value_formats_;
};

Result<void> check_type_ids(const btf* btf, const std::string& map, uint32_t key, uint32_t value) {
  for (uint32_t id : {key, value})
    if (id != 0 && resolve_type(btf, id).type == nullptr)
      return fail(ExitCode::kBadPackage,
                  "map " + map + ": BTF type id " + std::to_string(id) + " is invalid");
  return {};
}

}  // namespace

Result<std::unique_ptr<MapPrinter>> MapPrinter::create(const btf* btf, std::string map_name,
                                                       uint32_t key_type_id, uint32_t value_type_id,
                                                       const package::Sample& sample,
                                                       const PrintOptions& options,
                                                       std::ostream& out) {
  MapShape shape;
  shape.name = map_name;
  shape.key_id = key_type_id;
  shape.value_id = value_type_id;
  if (sample.type == "log2_hist")
    shape.kind = MapKind::kLog2;
  else if (sample.type == "linear_hist")
    shape.kind = MapKind::kLinear;
  else if (sample.type == "default_kv" || sample.type.empty())
    shape.kind = MapKind::kKeyValue;
  else
    return fail(ExitCode::kBadPackage,
                "map " + map_name + ": unknown @sample type '" + sample.type + "'",
                "use log2_hist, linear_hist or default_kv");
  if ((key_type_id != 0 || value_type_id != 0) && btf == nullptr)
    return fail(ExitCode::kBadPackage, "map " + map_name + ": no BTF to decode entries with");
  LMP_CHECK(check_type_ids(btf, map_name, key_type_id, value_type_id));
  if (shape.kind != MapKind::kKeyValue) {
    if (value_type_id == 0)
      return fail(ExitCode::kBadPackage, "map " + map_name + ": a histogram map needs BTF types");
    shape.slots = LMP_TRY(find_slots(btf, value_type_id, map_name));
  }
  if (!sample.unit.empty()) shape.unit = sample.unit;
  shape.cleared = sample.clear_map;
  return std::make_unique<MapPrinterImpl>(btf, std::move(shape), options, out);
}

Result<std::unique_ptr<MapPrinter>> create_automatic_map_printer(
    const btf* btf, std::string map_name, uint32_t key_type_id, uint32_t value_type_id,
    const PrintOptions& options, std::ostream& out) {
  if (btf == nullptr) key_type_id = value_type_id = 0;  // raw bytes, shown as hex
  LMP_CHECK(check_type_ids(btf, map_name, key_type_id, value_type_id));
  MapShape shape;
  shape.name = map_name;
  shape.key_id = key_type_id;
  shape.value_id = value_type_id;
  shape.automatic = true;
  if (value_type_id != 0) {
    ResolvedType key = resolve_type(btf, key_type_id);
    ResolvedType value = resolve_type(btf, value_type_id);
    bool int_key = key.type != nullptr && btf_is_int(key.type) && key.type->size <= 8;
    bool int_value = btf_is_int(value.type) && value.type->size <= 8;
    bool named_hist =
        map_name.find("hist") != std::string::npos || map_name.find("slot") != std::string::npos;
    auto found = find_slots(btf, value_type_id, map_name);
    if (found && (found->member.empty() || found->member == "slots")) {
      shape.kind = MapKind::kLog2;
      shape.slots = std::move(*found);
    } else if (int_key && int_value && named_hist) {
      shape.kind = MapKind::kKeyedLog2;
    }
  }
  return std::make_unique<MapPrinterImpl>(btf, std::move(shape), options, out);
}

}  // namespace lmp::output
