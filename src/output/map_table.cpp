// Table rendering of a map round: the interval line, then bcc-style histograms or a
// key/value table whose cells show decoded text (value_format.h) where a member has one.
#include <algorithm>
#include <cctype>

#include "output/histogram.h"
#include "output/map_round.h"
#include "output/text_format.h"

namespace lmp::output::detail {
namespace {

using nlohmann::json;

// Text of a decoded value inside a table cell or label: strings plain, the rest compact JSON.
std::string cell_text(const json& value) {
  if (value.is_string()) return value.get<std::string>();
  return value.dump(-1, ' ', false, json::error_handler_t::replace);
}

// The cell of member `name`: its decoded text when it has one, else its value.
std::string member_text(const json& object, const std::vector<DecodedMember>& decoded,
                        const std::string& name) {
  for (const DecodedMember& d : decoded)
    if (d.name == name) return d.text;
  if (!object.is_object()) return "null";
  auto it = object.find(name);
  return it == object.end() ? "null" : cell_text(*it);
}

std::string upper_case(std::string text) {
  for (char& c : text) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return text;
}

// "START -> END (D s)", " NAME" when titled, " (top N of M)" when --top cut the rows.
std::string header_line(const MapRound& round) {
  std::string text = interval_text(round.interval);
  if (!round.package.empty())
    text += " " + round.package + " " + round.map;  // several packages in one run
  else if (round.titled)
    text += " " + round.map;
  if (round.total > round.rows.size())
    text +=
        " (top " + std::to_string(round.rows.size()) + " of " + std::to_string(round.total) + ")";
  return text + '\n';
}

// "name = value" pairs of the key and of the value's non-slot members; members with
// empty text (a comm never filled in) are left out.
std::string label(const MapRound& round, const MapRow& r) {
  std::string text;
  auto add = [&](const std::string& name, const std::string& value) {
    if (value.empty()) return;
    if (!text.empty()) text += ' ';
    text += name + " = " + value;
  };
  if (!(round.rows.size() == 1 && r.key_is_zero)) {
    if (r.key.is_object())
      for (const std::string& name : round.key_members)
        add(name, member_text(r.key, r.key_text, name));
    else
      add("key", cell_text(r.key));
  }
  if (r.value.is_object())
    for (const std::string& name : round.value_members)
      if (name != round.slots_member) add(name, member_text(r.value, r.value_text, name));
  return text;
}

void histograms(std::string& text, const MapRound& round, size_t width) {
  for (const MapRow& r : round.rows) {
    std::string head = label(round, r);
    if (!head.empty()) text += head + '\n';
    if (round.kind == MapKind::kLinear)
      render_linear_hist(text, r.counts, round.unit, 0, 1, width);
    else
      render_log2_hist(text, r.counts, round.unit, width);
    text += '\n';
  }
}

// Columns: key members (or KEY) then value members (or VALUE), widths fitted to the round.
void kv_table(std::string& text, const MapRound& round) {
  const auto& rows = round.rows;
  std::vector<std::string> headers;
  std::vector<std::vector<std::string>> cells(rows.size());
  auto add_columns = [&](json MapRow::*field, std::vector<DecodedMember> MapRow::*decoded,
                         const std::vector<std::string>& members, const char* plain) {
    if (!members.empty()) {
      for (const std::string& name : members) headers.push_back(upper_case(name));
      for (size_t i = 0; i < rows.size(); ++i)
        for (const std::string& name : members)
          cells[i].push_back(member_text(rows[i].*field, rows[i].*decoded, name));
    } else {
      headers.push_back(plain);
      for (size_t i = 0; i < rows.size(); ++i) cells[i].push_back(cell_text(rows[i].*field));
    }
  };
  add_columns(&MapRow::key, &MapRow::key_text, round.key_members, "KEY");
  add_columns(&MapRow::value, &MapRow::value_text, round.value_members, "VALUE");
  std::vector<size_t> widths;
  for (const std::string& h : headers) widths.push_back(std::max<size_t>(h.size(), 7));
  for (const auto& row : cells)
    for (size_t c = 0; c < row.size(); ++c) widths[c] = std::max(widths[c], row[c].size());
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
}

}  // namespace

std::string render_map_table(const MapRound& round, size_t width) {
  std::string text = header_line(round);
  if (round.kind == MapKind::kKeyValue)
    kv_table(text, round);
  else
    histograms(text, round, width);
  return text;
}

}  // namespace lmp::output::detail
