#include <gtest/gtest.h>

#include <regex>
#include <sstream>

#include "output/output.h"
#include "output/test_btf.h"
#include "package/yaml_convert.h"

namespace lmp::output {
namespace {

using testing::new_btf;
using testing::put;
using testing::put_text;

constexpr const char* kIntervalLine =
    "[0-9]{2}:[0-9]{2}:[0-9]{2} -> [0-9]{2}:[0-9]{2}:[0-9]{2} \\([0-9]+\\.[0-9]+ s\\)";

struct MapBtf {
  testing::BtfHandle btf = new_btf();
  int u32 = 0, u64 = 0, hist = 0, slots_only = 0, pid_comm = 0, u64_array = 0, comm = 0;
  MapBtf() {
    struct btf* b = btf.get();
    u32 = btf__add_int(b, "unsigned int", 4, 0);
    u64 = btf__add_int(b, "unsigned long long", 8, 0);
    int ch = btf__add_int(b, "char", 1, BTF_INT_SIGNED);
    int slots = btf__add_array(b, u32, u32, 4);
    comm = btf__add_array(b, u32, ch, 16);
    hist = btf__add_struct(b, "hist", 32);  // struct hist { u32 slots[4]; char comm[16]; }
    btf__add_field(b, "slots", slots, 0, 0);
    btf__add_field(b, "comm", comm, 128, 0);
    slots_only = btf__add_struct(b, "plain_hist", 16);
    btf__add_field(b, "slots", slots, 0, 0);
    pid_comm = btf__add_struct(b, "key_t", 20);  // struct key_t { u32 pid; char comm[16]; }
    btf__add_field(b, "pid", u32, 0, 0);
    btf__add_field(b, "comm", comm, 32, 0);
    u64_array = btf__add_array(b, u32, u64, 5);
  }
};

MapEntry hist_entry(uint32_t key, std::vector<uint32_t> counts, const char* comm) {
  MapEntry e;
  put(e.key, 0, key);
  for (size_t i = 0; i < 4; ++i) put(e.value, i * 4, i < counts.size() ? counts[i] : 0u);
  put_text(e.value, 16, comm, 16);
  return e;
}

// The round's text without its leading interval line "HH:MM:SS -> HH:MM:SS (D s)" (checked).
std::string without_time(const std::string& text) {
  auto end = text.find('\n');
  EXPECT_NE(end, std::string::npos) << text;
  EXPECT_TRUE(std::regex_match(text.substr(0, end), std::regex(kIntervalLine))) << text;
  return text.substr(end + 1);
}

package::Sample sample_of(const char* type, const char* unit = "") {
  package::Sample s;
  s.type = type;
  s.unit = unit;
  return s;
}

TEST(OutputMapPrinter, Log2HistogramsWithLabels) {
  MapBtf m;
  std::ostringstream out;
  auto printer = MapPrinter::create(m.btf.get(), "hists", m.u32, m.hist,
                                    sample_of("log2_hist", "usecs"), Format::kTable, out);
  ASSERT_TRUE(printer) << printer.error().message;
  (*printer)->print(
      {hist_entry(7, {0, 2}, "bash"), hist_entry(3, {1}, "sshd"), hist_entry(9, {}, "idle")});
  EXPECT_EQ(without_time(out.str()),
            "key = 3 comm = sshd\n"
            "     usecs               : count    distribution\n"
            "         0 -> 1          : 1        |****************************************|\n"
            "\n"
            "key = 7 comm = bash\n"
            "     usecs               : count    distribution\n"
            "         0 -> 1          : 0        |                                        |\n"
            "         2 -> 3          : 2        |****************************************|\n"
            "\n");
}

TEST(OutputMapPrinter, SingleZeroKeyHistogramHasNoLabel) {
  MapBtf m;
  std::ostringstream out;
  auto printer = MapPrinter::create(m.btf.get(), "hist", m.u32, m.slots_only,
                                    sample_of("log2_hist"), Format::kTable, out);
  ASSERT_TRUE(printer);
  MapEntry e;
  put<uint32_t>(e.key, 0, 0);
  for (uint32_t i = 0; i < 4; ++i) put<uint32_t>(e.value, i * 4, i == 1 ? 5 : 0);
  (*printer)->print({e});
  EXPECT_EQ(without_time(out.str()),
            "     value               : count    distribution\n"
            "         0 -> 1          : 0        |                                        |\n"
            "         2 -> 3          : 5        |****************************************|\n"
            "\n");
}

// runqlat without per-process keys: key 0 and a comm the program never fills in.
TEST(OutputMapPrinter, EmptyCommIsNotALabel) {
  MapBtf m;
  std::ostringstream out;
  auto printer = MapPrinter::create(m.btf.get(), "hists", m.u32, m.hist, sample_of("log2_hist"),
                                    Format::kTable, out);
  ASSERT_TRUE(printer);
  (*printer)->print({hist_entry(0, {0, 5, 0, 0}, "")});
  EXPECT_EQ(without_time(out.str()),
            "     value               : count    distribution\n"
            "         0 -> 1          : 0        |                                        |\n"
            "         2 -> 3          : 5        |****************************************|\n"
            "\n");
}

TEST(OutputMapPrinter, LinearHistogramOfPlainArray) {
  MapBtf m;
  std::ostringstream out;
  auto printer = MapPrinter::create(m.btf.get(), "lin", m.u32, m.u64_array,
                                    sample_of("linear_hist", "ms"), Format::kTable, out);
  ASSERT_TRUE(printer) << printer.error().message;
  MapEntry e;
  put<uint32_t>(e.key, 0, 0);
  for (uint64_t i = 0; i < 5; ++i) put<uint64_t>(e.value, i * 8, i == 3 ? 2 : i == 1 ? 1 : 0);
  (*printer)->print({e});
  EXPECT_EQ(without_time(out.str()),
            "     ms            : count     distribution\n"
            "        1          : 1        |********************                    |\n"
            "        2          : 0        |                                        |\n"
            "        3          : 2        |****************************************|\n"
            "\n");
}

TEST(OutputMapPrinter, HistogramJsonLine) {
  MapBtf m;
  std::ostringstream out;
  auto printer = MapPrinter::create(m.btf.get(), "hists", m.u32, m.hist,
                                    sample_of("log2_hist", "usecs"), Format::kJson, out);
  ASSERT_TRUE(printer);
  (*printer)->print({hist_entry(7, {0, 2}, "bash")});
  auto line = nlohmann::json::parse(out.str());
  EXPECT_EQ(line["map"], "hists");
  EXPECT_TRUE(line["time"].is_string());
  ASSERT_EQ(line["entries"].size(), 1u);
  const auto& entry = line["entries"][0];
  EXPECT_EQ(entry["key"], 7);
  EXPECT_EQ(entry["value"]["comm"], "bash");
  EXPECT_EQ(entry["value"]["slots"], nlohmann::json({0, 2, 0, 0}));
  EXPECT_EQ(entry["buckets"], nlohmann::json::parse(R"([{"low":0,"high":1,"count":0},
                                                        {"low":2,"high":3,"count":2}])"));
}

TEST(OutputMapPrinter, KeyValueTableSortedByValue) {
  MapBtf m;
  std::ostringstream out;
  auto printer = MapPrinter::create(m.btf.get(), "counts", m.pid_comm, m.u64,
                                    sample_of("default_kv"), Format::kTable, out);
  ASSERT_TRUE(printer);
  auto entry = [](uint32_t pid, const char* comm, uint64_t count) {
    MapEntry e;
    put(e.key, 0, pid);
    put_text(e.key, 4, comm, 16);
    put(e.value, 0, count);
    return e;
  };
  (*printer)->print({entry(1, "systemd", 3), entry(4242, "a-long-command", 17), entry(2, "x", 0)});
  EXPECT_EQ(without_time(out.str()),
            "PID     COMM           VALUE\n"
            "4242    a-long-command 17\n"
            "1       systemd        3\n"
            "2       x              0\n");
}

TEST(OutputMapPrinter, KeyValuePlainKeyAndJson) {
  MapBtf m;
  std::ostringstream table, json_out;
  auto t = MapPrinter::create(m.btf.get(), "m", m.u32, m.u64, sample_of("default_kv"),
                              Format::kTable, table);
  auto j = MapPrinter::create(m.btf.get(), "m", m.u32, m.u64, sample_of("default_kv"),
                              Format::kJson, json_out);
  ASSERT_TRUE(t && j);
  MapEntry e;
  put<uint32_t>(e.key, 0, 5);
  put<uint64_t>(e.value, 0, 9);
  (*t)->print({e});
  (*j)->print({e});
  EXPECT_EQ(without_time(table.str()), "KEY     VALUE\n5       9\n");
  auto line = nlohmann::json::parse(json_out.str());
  EXPECT_EQ(line["entries"], nlohmann::json::parse(R"([{"key":5,"value":9}])"));
}

TEST(OutputMapPrinter, BadSampleConfigurations) {
  MapBtf m;
  std::ostringstream out;
  auto unknown = MapPrinter::create(m.btf.get(), "m", m.u32, m.u64, sample_of("pie_chart"),
                                    Format::kTable, out);
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().code, ExitCode::kBadPackage);
  auto no_slots = MapPrinter::create(m.btf.get(), "m", m.u32, m.pid_comm, sample_of("log2_hist"),
                                     Format::kTable, out);
  ASSERT_FALSE(no_slots);
  EXPECT_NE(no_slots.error().message.find("integer array"), std::string::npos);
}

// A struct key whose member has a text (value_format.h): syscount's key, with a signal.
struct DecodedBtf {
  testing::BtfHandle btf = new_btf();
  int u64 = 0, sig_key = 0, stats = 0;
  DecodedBtf() {
    struct btf* b = btf.get();
    int i32 = btf__add_int(b, "int", 4, BTF_INT_SIGNED);
    u64 = btf__add_int(b, "unsigned long long", 8, 0);
    sig_key = btf__add_struct(b, "sig_key", 4);  // struct sig_key { int sig; }
    btf__add_field(b, "sig", i32, 0, 0);
    stats = btf__add_struct(b, "stats", 16);  // struct stats { u64 count; u64 bytes; }
    btf__add_field(b, "count", u64, 0, 0);
    btf__add_field(b, "bytes", u64, 64, 0);
  }
};

MapEntry sig_count(int32_t sig, uint64_t count, uint64_t bytes) {
  MapEntry e;
  put(e.key, 0, sig);
  put(e.value, 0, count);
  put(e.value, 8, bytes);
  return e;
}

TEST(OutputMapPrinter, KeysDecodedLikeEvents) {
  DecodedBtf m;
  std::ostringstream table, json_out;
  auto t = MapPrinter::create(m.btf.get(), "sigs", m.sig_key, m.stats, sample_of("default_kv"),
                              Format::kTable, table);
  auto j = MapPrinter::create(m.btf.get(), "sigs", m.sig_key, m.stats, sample_of("default_kv"),
                              Format::kJson, json_out);
  ASSERT_TRUE(t && j);
  (*t)->print({sig_count(9, 2, 10), sig_count(15, 5, 0)});
  (*j)->print({sig_count(9, 2, 10)});
  // A struct value whose first member is a number: sorted by it, largest first.
  EXPECT_EQ(without_time(table.str()),
            "SIG     COUNT   BYTES\n"
            "SIGTERM 5       0\n"
            "SIGKILL 2       10\n");
  auto line = nlohmann::json::parse(json_out.str());
  EXPECT_EQ(line["entries"][0]["key"], nlohmann::json::parse(R"({"sig":9,"sig_name":"SIGKILL"})"));
  EXPECT_EQ(line["entries"][0]["value"], nlohmann::json::parse(R"({"count":2,"bytes":10})"));
}

TEST(OutputMapPrinter, TopKeepsTheLargestAndSaysSo) {
  MapBtf m;
  PrintOptions options(Format::kTable);
  options.top = 2;
  std::ostringstream out;
  auto printer =
      MapPrinter::create(m.btf.get(), "m", m.u32, m.u64, sample_of("default_kv"), options, out);
  ASSERT_TRUE(printer);
  std::vector<MapEntry> entries;
  for (uint32_t key : {1u, 2u, 3u}) {
    MapEntry e;
    put(e.key, 0, key);
    put<uint64_t>(e.value, 0, key * 10 % 25);  // 10, 20, 5
    entries.push_back(e);
  }
  (*printer)->print(entries);
  std::string text = out.str();
  std::string first = text.substr(0, text.find('\n'));
  EXPECT_TRUE(std::regex_match(first, std::regex(std::string(kIntervalLine) + " \\(top 2 of 3\\)")))
      << text;
  EXPECT_EQ(text.substr(first.size() + 1), "KEY     VALUE\n2       20\n1       10\n");

  std::ostringstream json_out;
  options.format = Format::kJson;
  auto j = MapPrinter::create(m.btf.get(), "m", m.u32, m.u64, sample_of("default_kv"), options,
                              json_out);
  ASSERT_TRUE(j);
  (*j)->print(entries);
  auto line = nlohmann::json::parse(json_out.str());
  EXPECT_EQ(line["entries"].size(), 2u);
  EXPECT_EQ(line["entries_total"], 3);
}

// The interval of each round: from the run's start for a map that keeps counting, from the
// previous round for one cleared after each round.
TEST(OutputMapPrinter, RoundsCarryTheIntervalTheyCover) {
  MapBtf m;
  for (bool cleared : {false, true}) {
    PrintOptions options(Format::kJson);
    options.start = std::chrono::system_clock::now() - std::chrono::seconds(2);
    package::Sample sample = sample_of("default_kv");
    sample.clear_map = cleared;
    std::ostringstream out;
    auto printer = MapPrinter::create(m.btf.get(), "m", m.u32, m.u64, sample, options, out);
    ASSERT_TRUE(printer);
    (*printer)->print({});
    (*printer)->print({});
    std::istringstream lines(out.str());
    std::string one, two;
    ASSERT_TRUE(std::getline(lines, one) && std::getline(lines, two));
    auto first = nlohmann::json::parse(one), second = nlohmann::json::parse(two);
    std::regex rfc3339(
        "[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\\.[0-9]{3}[+-][0-9]{2}:[0-9]{2}");
    EXPECT_TRUE(std::regex_match(first["interval_start"].get<std::string>(), rfc3339)) << one;
    EXPECT_TRUE(std::regex_match(first["interval_end"].get<std::string>(), rfc3339)) << one;
    EXPECT_NEAR(first["interval_s"].get<double>(), 2.0, 0.5) << one;
    EXPECT_TRUE(first["time"].is_string());
    if (cleared) {
      EXPECT_EQ(second["interval_start"], first["interval_end"]);
      EXPECT_LT(second["interval_s"].get<double>(), 0.5);
    } else {
      EXPECT_EQ(second["interval_start"], first["interval_start"]);
    }
  }
}

TEST(OutputMapPrinter, YamlDocumentPerRound) {
  MapBtf m;
  std::ostringstream yaml, json_out;
  auto y = MapPrinter::create(m.btf.get(), "hists", m.u32, m.hist, sample_of("log2_hist"),
                              Format::kYaml, yaml);
  auto j = MapPrinter::create(m.btf.get(), "hists", m.u32, m.hist, sample_of("log2_hist"),
                              Format::kJson, json_out);
  ASSERT_TRUE(y && j);
  (*y)->print({hist_entry(7, {0, 2}, "bash")});
  (*y)->print({hist_entry(7, {1}, "bash")});
  (*j)->print({hist_entry(7, {0, 2}, "bash")});
  std::string text = yaml.str();
  ASSERT_EQ(text.rfind("---\n", 0), 0u) << text;
  auto second = text.find("---\n", 4);
  ASSERT_NE(second, std::string::npos) << text;
  auto doc = package::yaml_to_json(text.substr(4, second - 4));
  ASSERT_TRUE(doc) << doc.error().message;
  auto line = nlohmann::json::parse(json_out.str());
  EXPECT_EQ((*doc)["entries"], line["entries"]);
  EXPECT_EQ((*doc)["map"], "hists");
  for (const char* key : {"time", "interval_start", "interval_end", "interval_s"})
    EXPECT_TRUE(doc->contains(key)) << key;
}

TEST(OutputMapPrinter, HistogramsFitTheWidth) {
  MapBtf m;
  PrintOptions options(Format::kTable);
  options.width = 60;
  std::ostringstream out;
  auto printer =
      MapPrinter::create(m.btf.get(), "hists", m.u32, m.hist, sample_of("log2_hist"), options, out);
  ASSERT_TRUE(printer);
  (*printer)->print({hist_entry(7, {3, 6}, "bash")});
  std::istringstream lines(out.str());
  for (std::string line; std::getline(lines, line);) EXPECT_LE(line.size(), 60u) << line;
  EXPECT_NE(out.str().find("|**********************|"), std::string::npos) << out.str();
}

}  // namespace
}  // namespace lmp::output
