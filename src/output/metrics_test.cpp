#include "output/metrics.h"

#include <gtest/gtest.h>

#include "output/map_round.h"

namespace lmp::output {
namespace {

using Type = MetricsRegistry::Type;

TEST(Metrics, NamesAreSanitized) {
  EXPECT_EQ(metric_name("lmp_runqlat_hists"), "lmp_runqlat_hists");
  EXPECT_EQ(metric_name("lmp_tcp-states.v2_hists"), "lmp_tcp_states_v2_hists");
  EXPECT_EQ(metric_name("9lives"), "_9lives");
  EXPECT_EQ(metric_name(""), "_");
}

TEST(Metrics, CountersAndGaugesRenderWithHelpTypeAndEscapedLabels) {
  MetricsRegistry registry;
  registry.declare("lmp_events_total", Type::kCounter, "Events.\nSecond line \\ slash");
  registry.declare("temp", Type::kGauge, "A gauge.");
  registry.add("lmp_events_total", {{"package", "opensnoop"}, {"buffer", "events"}}, 1);
  registry.add("lmp_events_total", {{"package", "opensnoop"}, {"buffer", "events"}}, 2);
  registry.set("temp", {{"path", "a\"b\\c\nd"}}, 1.5);
  registry.set("temp", {}, 3);
  registry.add("undeclared", {}, 1);  // ignored
  EXPECT_EQ(registry.render(),
            "# HELP lmp_events_total Events.\\nSecond line \\\\ slash\n"
            "# TYPE lmp_events_total counter\n"
            "lmp_events_total{package=\"opensnoop\",buffer=\"events\"} 3\n"
            "# HELP temp A gauge.\n"
            "# TYPE temp gauge\n"
            "temp 3\n"
            "temp{path=\"a\\\"b\\\\c\\nd\"} 1.5\n");
}

TEST(Metrics, HistogramBucketsAreCumulativeWithInfSumAndCount) {
  MetricsRegistry registry;
  registry.declare("lat", Type::kHistogram, "Latency.", {1, 3, 7});
  std::vector<uint64_t> counts = {2, 0, 5, 0, 1};  // the last two fall into +Inf
  registry.observe_buckets("lat", {{"key", "0"}}, counts, 40.5, false);
  EXPECT_EQ(registry.render(),
            "# HELP lat Latency.\n# TYPE lat histogram\n"
            "lat_bucket{key=\"0\",le=\"1\"} 2\n"
            "lat_bucket{key=\"0\",le=\"3\"} 2\n"
            "lat_bucket{key=\"0\",le=\"7\"} 7\n"
            "lat_bucket{key=\"0\",le=\"+Inf\"} 8\n"
            "lat_sum{key=\"0\"} 40.5\n"
            "lat_count{key=\"0\"} 8\n");
  // A map the kernel keeps counting replaces; a map cleared every round adds up.
  registry.observe_buckets("lat", {{"key", "0"}}, counts, 40.5, false);
  EXPECT_NE(registry.render().find("lat_count{key=\"0\"} 8\n"), std::string::npos);
  registry.observe_buckets("lat", {{"key", "0"}}, counts, 40.5, true);
  EXPECT_NE(registry.render().find("lat_count{key=\"0\"} 16\n"), std::string::npos);
  EXPECT_NE(registry.render().find("lat_sum{key=\"0\"} 81\n"), std::string::npos);
}

TEST(Metrics, SeriesPastTheLimitGoToOneOtherSeries) {
  MetricsRegistry registry(3);
  registry.declare("opens_total", Type::kCounter, "Opens.");
  for (int pid = 0; pid < 10; ++pid)
    registry.add("opens_total", {{"pid", std::to_string(pid)}, {"comm", "x"}}, 1);
  EXPECT_EQ(registry.series_count("opens_total"), 4u);  // three, and the overflow
  EXPECT_NE(registry.render().find("opens_total{pid=\"other\",comm=\"other\"} 7\n"),
            std::string::npos)
      << registry.render();
  // An existing series keeps counting past the limit.
  registry.add("opens_total", {{"pid", "0"}, {"comm", "x"}}, 1);
  EXPECT_NE(registry.render().find("opens_total{pid=\"0\",comm=\"x\"} 2\n"), std::string::npos);
  // A family can have its own limit.
  registry.declare("few_total", Type::kCounter, "Few.", {}, 1);
  registry.add("few_total", {{"a", "1"}}, 1);
  registry.add("few_total", {{"a", "2"}}, 1);
  EXPECT_EQ(registry.series_count("few_total"), 2u);
}

TEST(Metrics, ConfigTakesCountersOrEunomiaExporterPrograms) {
  auto specs = parse_metrics_config(nlohmann::json::parse(R"({"counters": [
      {"name": "opens", "help": "Opens by command", "labels": ["comm", {"name": "file",
       "from": "fname"}], "max_series": 50, "buffer": "events"}]})"),
                                    "opensnoop");
  ASSERT_TRUE(specs) << specs.error().message;
  ASSERT_EQ(specs->size(), 1u);
  EXPECT_EQ((*specs)[0].name, "opens");
  EXPECT_EQ((*specs)[0].help, "Opens by command");
  EXPECT_EQ((*specs)[0].max_series, 50u);
  EXPECT_EQ((*specs)[0].buffer, "events");
  ASSERT_EQ((*specs)[0].labels.size(), 2u);
  EXPECT_EQ((*specs)[0].labels[1], (std::pair<std::string, std::string>{"file", "fname"}));

  auto programs = parse_metrics_config(nlohmann::json::parse(R"({"programs": [
      {"name": "execsnoop", "metrics": {"counters": [{"name": "execs"}]}},
      {"name": "opensnoop", "metrics": {"counters": [{"name": "file-opens",
       "description": "d", "labels": [{"name": "pid"}]}]}}]})"),
                                       "opensnoop");
  ASSERT_TRUE(programs) << programs.error().message;
  ASSERT_EQ(programs->size(), 1u);
  EXPECT_EQ((*programs)[0].name, "file_opens");
  EXPECT_EQ((*programs)[0].help, "d");

  for (const char* bad : {R"([])", R"({"counters": {}})", R"({"counters": [{"help": "x"}]})",
                          R"({"counters": [{"name": "a", "labels": [3]}]})",
                          R"({"counters": [{"name": "a", "max_series": 0}]})",
                          R"({"programs": [{"metrics": {}}]})"}) {
    auto parsed = parse_metrics_config(nlohmann::json::parse(bad), "opensnoop");
    ASSERT_FALSE(parsed) << bad;
    EXPECT_EQ(parsed.error().code, ExitCode::kUsage);
    EXPECT_NE(parsed.error().message.find("metrics configuration"), std::string::npos);
  }
}

TEST(Metrics, MapRoundsBecomeHistogramsCountersAndGauges) {
  using namespace detail;
  MetricsRegistry registry;
  MapRound hist;
  hist.map = "hists";
  hist.kind = MapKind::kLog2;
  hist.unit = "usecs";
  hist.slots_member = "slots";
  MapRow row;
  row.key = 0;
  row.value = {{"comm", "bash"}, {"slots", {1, 0, 2}}};
  row.counts = {1, 0, 2};
  hist.rows.push_back(row);
  export_map_round(hist, false, registry, "runqlat");
  std::string text = registry.render();
  EXPECT_NE(text.find("# TYPE lmp_runqlat_hists_usecs histogram\n"), std::string::npos) << text;
  // Slots [0,1], [2,3], [4,7]: le 1, 3, 7; the sum from midpoints 0.5 + 2 * 5.5.
  EXPECT_NE(text.find("lmp_runqlat_hists_usecs_bucket{key=\"0\",comm=\"bash\",le=\"7\"} 3\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("lmp_runqlat_hists_usecs_sum{key=\"0\",comm=\"bash\"} 11.5\n"),
            std::string::npos)
      << text;

  MapRound counts;
  counts.map = "counts";
  counts.kind = MapKind::kKeyValue;
  MapRow syscall;
  syscall.key = {{"syscall_id", 39}};
  syscall.key_text = {{"syscall_id", "syscall_id_name", "getpid"}};
  syscall.value = {{"count", 5}, {"total_ns", 100}};
  counts.rows.push_back(syscall);
  export_map_round(counts, true, registry, "syscount");
  export_map_round(counts, true, registry, "syscount");
  text = registry.render();
  EXPECT_NE(text.find("lmp_syscount_counts_count_total{syscall_id=\"getpid\"} 10\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("# TYPE lmp_syscount_counts_total_ns_total counter\n"), std::string::npos);

  MapRound plain;  // a map nobody clears: gauges of its current values
  plain.map = "sizes";
  plain.kind = MapKind::kKeyValue;
  MapRow one;
  one.key = 7;
  one.value = 3;
  plain.rows.push_back(one);
  export_map_round(plain, false, registry, "t");
  plain.rows[0].key = 8;
  export_map_round(plain, false, registry, "t");
  text = registry.render();
  EXPECT_NE(text.find("# TYPE lmp_t_sizes gauge\nlmp_t_sizes{key=\"8\"} 3\n"), std::string::npos)
      << text;
  EXPECT_EQ(text.find("lmp_t_sizes{key=\"7\"}"), std::string::npos) << "gone from the map";
}

TEST(Metrics, CollectorsRunBeforeEachRenderUntilRemoved) {
  MetricsRegistry registry;
  registry.declare("hot_total", Type::kCounter, "Kept in an atomic.");
  int calls = 0;
  std::size_t id = registry.add_collector([&] { registry.set("hot_total", {}, ++calls * 10.0); });
  EXPECT_NE(registry.render().find("hot_total 10\n"), std::string::npos);
  EXPECT_NE(registry.render().find("hot_total 20\n"), std::string::npos);
  registry.remove_collector(id);
  EXPECT_NE(registry.render().find("hot_total 20\n"), std::string::npos);
  EXPECT_EQ(calls, 2);
}

}  // namespace
}  // namespace lmp::output
