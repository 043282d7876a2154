// export_map_round: a sampled map's round as Prometheus families (map_round.h).
#include <cmath>

#include "output/map_round.h"
#include "output/metrics.h"

namespace lmp::output::detail {
namespace {

using nlohmann::json;

std::string label_text(const json& value) {
  if (value.is_string()) return value.get<std::string>();
  return value.dump(-1, ' ', false, json::error_handler_t::replace);
}

// The decoded text of member `name`, when it has one.
const std::string* text_of(const std::vector<DecodedMember>& decoded, const std::string& name) {
  for (const DecodedMember& d : decoded)
    if (d.name == name) return &d.text;
  return nullptr;
}

// Labels from the key (each member of a struct key, else "key") and from the value's members
// that are not numbers (comm) other than `skip` (a histogram's slots).
Labels labels_of(const MapRow& row, const std::string& skip) {
  Labels labels;
  if (row.key.is_object()) {
    for (const auto& [name, value] : row.key.items()) {
      const std::string* text = text_of(row.key_text, name);
      labels.emplace_back(metric_name(name), text ? *text : label_text(value));
    }
  } else if (!row.key.is_null()) {
    labels.emplace_back("key", label_text(row.key));
  }
  if (row.value.is_object())
    for (const auto& [name, value] : row.value.items()) {
      if (name == skip || value.is_number() || value.is_boolean()) continue;
      const std::string* text = text_of(row.value_text, name);
      std::string label = text ? *text : label_text(value);
      if (!label.empty()) labels.emplace_back(metric_name(name), std::move(label));  // "" = unset
    }
  return labels;
}

// Upper bounds of the slots: log2 slot i holds [2^i, 2^(i+1)) (slot 0: 0 and 1), a linear
// slot i the value i.
std::vector<double> slot_bounds(MapKind kind, std::size_t slots) {
  std::vector<double> bounds;
  for (std::size_t i = 0; i < slots; ++i)
    bounds.push_back(kind == MapKind::kLinear ? static_cast<double>(i)
                                              : std::ldexp(1.0, static_cast<int>(i) + 1) - 1);
  return bounds;
}

// The sum estimated from the slots: each count at its slot's midpoint.
double estimated_sum(MapKind kind, const std::vector<uint64_t>& counts) {
  double sum = 0;
  for (std::size_t i = 0; i < counts.size(); ++i) {
    double low = kind == MapKind::kLinear ? static_cast<double>(i)
                 : i == 0                 ? 0
                                          : std::ldexp(1.0, static_cast<int>(i));
    double high = kind == MapKind::kLinear ? low : std::ldexp(1.0, static_cast<int>(i) + 1) - 1;
    sum += static_cast<double>(counts[i]) * (low + high) / 2;
  }
  return sum;
}

}  // namespace

void export_map_round(const MapRound& round, bool cleared, MetricsRegistry& registry,
                      const std::string& package) {
  std::string base = metric_name("lmp_" + package + "_" + round.map);
  if (round.kind != MapKind::kKeyValue) {
    std::string name =
        round.unit.empty() || round.unit == "value" ? base : base + "_" + metric_name(round.unit);
    std::size_t slots = 0;
    for (const MapRow& row : round.rows) slots = std::max(slots, row.counts.size());
    if (round.kind == MapKind::kKeyedLog2) slots = 64;
    registry.declare(name, MetricsRegistry::Type::kHistogram,
                     "Histogram map " + round.map + " of " + package + " (" + round.unit +
                         "), from its " + (round.kind == MapKind::kLinear ? "linear" : "log2") +
                         " slots; _sum is estimated from the slots' midpoints.",
                     slot_bounds(round.kind, slots));
    for (const MapRow& row : round.rows)
      registry.observe_buckets(name, labels_of(row, round.slots_member), row.counts,
                               estimated_sum(round.kind, row.counts), cleared);
    return;
  }
  // Key/value maps: one family per numeric member of the value (or the value itself).
  auto family = [&](const std::string& member) {
    std::string name = member.empty() ? base : base + "_" + metric_name(member);
    if (cleared) name += "_total";
    registry.declare(name,
                     cleared ? MetricsRegistry::Type::kCounter : MetricsRegistry::Type::kGauge,
                     "Map " + round.map + " of " + package +
                         (member.empty() ? std::string() : ", member " + member) +
                         (cleared ? ", summed over the rounds it is read and cleared in"
                                  : ", its value at the last round"));
    return name;
  };
  std::vector<std::string> cleared_families;
  for (const MapRow& row : round.rows) {
    Labels labels = labels_of(row, {});
    auto put = [&](const std::string& member, const json& value) {
      std::string name = family(member);
      if (!cleared && std::find(cleared_families.begin(), cleared_families.end(), name) ==
                          cleared_families.end()) {
        registry.clear(name);  // gauges: entries gone from the map go from the metrics too
        cleared_families.push_back(name);
      }
      double v = value.is_boolean() ? (value.get<bool>() ? 1 : 0) : value.get<double>();
      if (cleared)
        registry.add(name, labels, v);
      else
        registry.set(name, labels, v);
    };
    if (row.value.is_number()) {
      put({}, row.value);
    } else if (row.value.is_object()) {
      for (const auto& [member, value] : row.value.items())
        if (value.is_number()) put(member, value);
    }
  }
}

}  // namespace lmp::output::detail
