#include "output/map_autoprint.h"

#include <gtest/gtest.h>

#include <sstream>

#include "output/test_btf.h"

namespace lmp::output {
namespace {

using testing::new_btf;
using testing::put;
using testing::put_text;

struct AutoBtf {
  testing::BtfHandle btf = new_btf();
  int u32 = 0, u64 = 0, hist = 0, pid_comm = 0, stats = 0, info = 0;
  AutoBtf() {
    struct btf* b = btf.get();
    u32 = btf__add_int(b, "unsigned int", 4, 0);
    u64 = btf__add_int(b, "unsigned long long", 8, 0);
    int ch = btf__add_int(b, "char", 1, BTF_INT_SIGNED);
    int slots = btf__add_array(b, u32, u32, 4);
    int comm = btf__add_array(b, u32, ch, 16);
    hist = btf__add_struct(b, "hist", 16);  // struct hist { u32 slots[4]; }
    btf__add_field(b, "slots", slots, 0, 0);
    pid_comm = btf__add_struct(b, "key_t", 20);  // struct key_t { u32 pid; char comm[16]; }
    btf__add_field(b, "pid", u32, 0, 0);
    btf__add_field(b, "comm", comm, 32, 0);
    stats = btf__add_struct(b, "stats", 16);  // struct stats { u64 count; u64 bytes; }
    btf__add_field(b, "count", u64, 0, 0);
    btf__add_field(b, "bytes", u64, 64, 0);
    info = btf__add_struct(b, "info", 24);  // struct info { u64 count; u32 slots[4]; }
    btf__add_field(b, "count", u64, 0, 0);
    btf__add_field(b, "slots", slots, 64, 0);
  }
};

MapEntry u32_u64(uint32_t key, uint64_t value) {
  MapEntry e;
  put(e.key, 0, key);
  put(e.value, 0, value);
  return e;
}

MapEntry proc_count(uint32_t pid, const char* comm, uint64_t count) {
  MapEntry e;
  put(e.key, 0, pid);
  put_text(e.key, 4, comm, 16);
  put(e.value, 0, count);
  return e;
}

std::string render(const AutoBtf& m, const std::string& name, int key, int value,
                   const std::vector<MapEntry>& entries, Format format = Format::kTable) {
  std::ostringstream out;
  auto printer = create_automatic_map_printer(m.btf.get(), name, static_cast<uint32_t>(key),
                                              static_cast<uint32_t>(value), format, out);
  EXPECT_TRUE(printer.has_value());
  if (printer) (*printer)->print(entries);
  return out.str();
}

TEST(MapAutoprint, CountsKeyedBySlotIndexDrawOneHistogram) {
  AutoBtf m;
  std::string text = render(m, "size_slots", m.u32, m.u64, {u32_u64(3, 10), u32_u64(2, 5)});
  EXPECT_NE(text.find(" size_slots\n"), std::string::npos) << text;
  EXPECT_NE(text.find("4 -> 7          : 5 "), std::string::npos) << text;
  EXPECT_NE(text.find("8 -> 15         : 10 "), std::string::npos) << text;
  EXPECT_NE(text.find("|****************************************|"), std::string::npos) << text;
}

TEST(MapAutoprint, StructWithSlotsIsAHistogram) {
  AutoBtf m;
  MapEntry e;
  put(e.key, 0, 0u);
  for (uint32_t i = 0; i < 4; ++i) put(e.value, i * 4, i + 1);
  std::string text = render(m, "latency", m.u32, m.hist, {e});
  EXPECT_NE(text.find("distribution"), std::string::npos) << text;
  EXPECT_NE(text.find("4 -> 7          : 3 "), std::string::npos) << text;
}

TEST(MapAutoprint, CountersAreSortedLargestFirst) {
  AutoBtf m;
  std::string text =
      render(m, "writes", m.pid_comm, m.u64,
             {proc_count(10, "small", 2), proc_count(11, "big", 90), proc_count(12, "middle", 40)});
  EXPECT_NE(text.find(" writes\nPID     COMM    VALUE\n"), std::string::npos) << text;
  auto big = text.find("big"), middle = text.find("middle"), small = text.find("small");
  ASSERT_NE(small, std::string::npos) << text;
  EXPECT_LT(big, middle);
  EXPECT_LT(middle, small);
}

TEST(MapAutoprint, IntegerMapWithoutHistNameIsACounterTable) {
  AutoBtf m;
  std::string text = render(m, "syscalls", m.u32, m.u64, {u32_u64(1, 5), u32_u64(2, 50)});
  EXPECT_NE(text.find("KEY     VALUE\n2       50\n1       5\n"), std::string::npos) << text;
}

TEST(MapAutoprint, StructValuesSortByTheirFirstMember) {
  AutoBtf m;
  auto stat = [](uint32_t key, uint64_t count, uint64_t bytes) {
    MapEntry e;
    put(e.key, 0, key);
    put(e.value, 0, count);
    put(e.value, 8, bytes);
    return e;
  };
  std::string text = render(m, "io", m.u32, m.stats, {stat(1, 3, 900), stat(2, 7, 100)});
  EXPECT_NE(text.find("KEY     COUNT   BYTES\n2       7       100\n1       3       900\n"),
            std::string::npos)
      << text;
}

TEST(MapAutoprint, StructWithEmptySlotsAndCountsIsATable) {
  AutoBtf m;
  MapEntry e;
  put(e.key, 0, uint32_t{7});
  put(e.value, 0, uint64_t{320});
  e.value.resize(24, 0);  // slots all zero: the tool counted without a histogram
  std::string text = render(m, "infos", m.u32, m.info, {e});
  EXPECT_NE(text.find("COUNT"), std::string::npos) << text;
  EXPECT_NE(text.find("320"), std::string::npos) << text;
  EXPECT_EQ(text.find("distribution"), std::string::npos) << text;
}

TEST(MapAutoprint, EmptyRoundPrintsNothing) {
  AutoBtf m;
  EXPECT_EQ(render(m, "writes", m.pid_comm, m.u64, {}), "");
  EXPECT_EQ(render(m, "size_slots", m.u32, m.u64, {}), "");
}

TEST(MapAutoprint, JsonNamesTheMap) {
  AutoBtf m;
  std::string text = render(m, "size_slots", m.u32, m.u64, {u32_u64(1, 4)}, Format::kJson);
  auto line = nlohmann::json::parse(text);
  EXPECT_EQ(line["map"], "size_slots");
  EXPECT_EQ(line["entries"][0]["buckets"][1]["count"], 4);
}

}  // namespace
}  // namespace lmp::output
