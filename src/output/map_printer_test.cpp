#include <gtest/gtest.h>

#include <regex>
#include <sstream>

#include "output/output.h"
#include "output/test_btf.h"

namespace lmp::output {
namespace {

using testing::new_btf;
using testing::put;
using testing::put_text;

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

// The round's text without its leading "HH:MM:SS\n" line (checked to be a time).
std::string without_time(const std::string& text) {
  EXPECT_TRUE(std::regex_match(text.substr(0, 9), std::regex("[0-9]{2}:[0-9]{2}:[0-9]{2}\n")));
  return text.substr(9);
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

}  // namespace
}  // namespace lmp::output
