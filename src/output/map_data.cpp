// JSON and YAML rendering of a map round: raw keys and values as decode_value gives them,
// the decoded text beside each member that has one, and the interval the round covers.
#include <cmath>

#include "output/histogram.h"
#include "output/map_round.h"
#include "output/text_format.h"

namespace lmp::output::detail {
namespace {

using nlohmann::json;

// `raw` with decoded_key: text added beside each member that has one (objects only).
json with_text(json raw, const std::vector<DecodedMember>& decoded) {
  if (!raw.is_object()) return raw;
  for (const DecodedMember& d : decoded)
    if (!d.json_key.empty() && !raw.contains(d.json_key)) raw[d.json_key] = d.text;
  return raw;
}

json entry_of(const MapRound& round, const MapRow& r) {
  json entry = {{"key", with_text(r.key, r.key_text)}, {"value", with_text(r.value, r.value_text)}};
  if (round.kind != MapKind::kKeyValue) {
    json buckets = json::array();
    for (const Bucket& b :
         round.kind == MapKind::kLinear ? linear_buckets(r.counts) : log2_buckets(r.counts))
      buckets.push_back({{"low", b.low}, {"high", b.high}, {"count", b.count}});
    entry["buckets"] = std::move(buckets);
  }
  return entry;
}

// RFC 3339 local time with milliseconds and the zone's offset (text_format.h).
std::string rfc3339(std::chrono::system_clock::time_point time) {
  auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(time.time_since_epoch()).count();
  Rfc3339Cache clock;
  return std::string(clock.at(static_cast<std::time_t>(ns / 1'000'000'000),
                              static_cast<long>(ns % 1'000'000'000)));
}

bool is_block(const json& value) {
  return (value.is_object() || value.is_array()) && !value.empty();
}

// Appends `value` as block-style YAML indented by `indent`. Strings are plain only when YAML
// 1.1 and 1.2 both read them back as strings (a time like 12:31:12 is quoted: YAML 1.1
// would read a number).
void append_yaml(std::string& out, const json& value, size_t indent) {
  if (!is_block(value)) {
    if (value.is_string())
      append_yaml_string(out, value.get_ref<const std::string&>());
    else if (value.is_object())
      out += "{}";
    else if (value.is_array())
      out += "[]";
    else
      out += value.dump();
    out += '\n';
    return;
  }
  if (value.is_object()) {
    for (const auto& [key, item] : value.items()) {
      out.append(indent, ' ');
      append_yaml_string(out, key);
      out += ':';
      if (is_block(item)) {
        out += '\n';
        append_yaml(out, item, indent + 2);
      } else {
        out += ' ';
        append_yaml(out, item, indent);
      }
    }
    return;
  }
  for (const json& item : value) {
    out.append(indent, ' ');
    out += "- ";
    if (!is_block(item)) {
      append_yaml(out, item, indent);
      continue;
    }
    // The item's first line goes after "- ", the rest under it.
    std::string nested;
    append_yaml(nested, item, indent + 2);
    out.append(nested, indent + 2, std::string::npos);
  }
}

}  // namespace

std::string render_map_data(const MapRound& round, Format format) {
  TimeCache clock;
  double seconds = std::chrono::duration<double>(round.interval.end - round.interval.start).count();
  json line = {
      {"time", std::string(clock.at(std::chrono::system_clock::to_time_t(round.interval.end)))},
      {"interval_start", rfc3339(round.interval.start)},
      {"interval_end", rfc3339(round.interval.end)},
      {"interval_s", std::round(std::max(seconds, 0.0) * 1000) / 1000},
      {"map", round.map},
      {"entries", json::array()}};
  for (const MapRow& r : round.rows) line["entries"].push_back(entry_of(round, r));
  if (round.total > round.rows.size()) line["entries_total"] = round.total;
  if (!round.package.empty()) line["package"] = round.package;
  if (format == Format::kYaml) {
    // Strings that are not valid UTF-8 are replaced first, as the JSON line does.
    json clean = json::parse(line.dump(-1, ' ', false, json::error_handler_t::replace));
    std::string text = "---\n";
    append_yaml(text, clean, 0);
    return text;
  }
  return line.dump(-1, ' ', false, json::error_handler_t::replace) + "\n";
}

}  // namespace lmp::output::detail
