#include "output/map_round.h"

#include <gtest/gtest.h>

#include <regex>

#include "output/text_format.h"
#include "package/yaml_convert.h"

namespace lmp::output::detail {
namespace {

using std::chrono::system_clock;

MapInterval interval_of(double seconds) {
  auto start = system_clock::from_time_t(1'796'128'800);  // 2026-12-01 12:40:00 UTC
  return {start, start + std::chrono::duration_cast<system_clock::duration>(
                             std::chrono::duration<double>(seconds))};
}

std::string local_hh_mm_ss(system_clock::time_point time) {
  TimeCache clock;
  return std::string(clock.at(system_clock::to_time_t(time)));
}

MapRound counters() {
  MapRound round;
  round.map = "counts";
  round.interval = interval_of(1.0);
  round.rows.push_back({5, 90, false, {}, {}, {}});
  round.rows.push_back({7, 40, false, {}, {}, {}});
  round.total = 2;
  return round;
}

TEST(MapRound, IntervalLine) {
  MapInterval one = interval_of(1.0);
  EXPECT_EQ(interval_text(one),
            local_hh_mm_ss(one.start) + " -> " + local_hh_mm_ss(one.end) + " (1.0 s)");
  EXPECT_TRUE(interval_text(interval_of(0.9)).ends_with(" (0.9 s)"));
  EXPECT_TRUE(interval_text(interval_of(0.042)).ends_with(" (0.042 s)"));
  EXPECT_TRUE(interval_text(interval_of(12.34)).ends_with(" (12.3 s)"));
}

TEST(MapRound, TableHeaderNamesTheMapAndTheCut) {
  MapRound round = counters();
  std::string interval = interval_text(round.interval);
  EXPECT_EQ(render_map_table(round, 0), interval + "\nKEY     VALUE\n5       90\n7       40\n");
  round.titled = true;
  round.total = 9;
  EXPECT_TRUE(render_map_table(round, 0).starts_with(interval + " counts (top 2 of 9)\nKEY"));
}

TEST(MapRound, DecodedTextInCellsAndBesideTheRawValue) {
  MapRound round;
  round.map = "calls";
  round.interval = interval_of(1.0);
  round.key_members = {"syscall_id"};
  round.value_members = {"count"};
  MapRow row;
  row.key = {{"syscall_id", 257}};
  row.value = {{"count", 3}};
  row.key_text = {{"syscall_id", "syscall_id_name", "openat"}};
  round.rows.push_back(row);
  round.total = 1;
  std::string table = render_map_table(round, 0);
  EXPECT_TRUE(table.ends_with("SYSCALL_ID COUNT\nopenat     3\n")) << table;
  auto line = nlohmann::json::parse(render_map_data(round, Format::kJson));
  EXPECT_EQ(line["entries"][0]["key"],
            nlohmann::json::parse(R"({"syscall_id":257,"syscall_id_name":"openat"})"));
}

TEST(MapRound, JsonAndYamlCarryTheInterval) {
  MapRound round = counters();
  round.interval = interval_of(1.5);
  round.total = 5;
  std::string json_text = render_map_data(round, Format::kJson);
  ASSERT_TRUE(json_text.ends_with("}\n"));
  auto line = nlohmann::json::parse(json_text);
  EXPECT_EQ(line["interval_s"], 1.5);
  EXPECT_EQ(line["map"], "counts");
  EXPECT_EQ(line["entries_total"], 5);
  EXPECT_EQ(line["time"], local_hh_mm_ss(round.interval.end));
  std::regex rfc3339("2026-12-0[12]T[0-9]{2}:[0-9]{2}:00\\.000[+-][0-9]{2}:[0-9]{2}");
  EXPECT_TRUE(std::regex_match(line["interval_start"].get<std::string>(), rfc3339)) << line;
  EXPECT_TRUE(line["interval_end"].get<std::string>().find(":01.500") != std::string::npos) << line;

  std::string yaml = render_map_data(round, Format::kYaml);
  ASSERT_TRUE(yaml.starts_with("---\n")) << yaml;
  auto doc = package::yaml_to_json(yaml);
  ASSERT_TRUE(doc) << doc.error().message;
  EXPECT_EQ(*doc, line);
}

}  // namespace
}  // namespace lmp::output::detail
