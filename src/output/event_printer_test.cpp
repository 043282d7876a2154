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

// struct event { int pid; unsigned long long ts; char comm[16]; enum state state;
//                _Bool ok; unsigned flags:4; struct pair { int a, b; } pair; };
struct EventBtf {
  testing::BtfHandle btf = new_btf();
  int id = 0;
  EventBtf() {
    struct btf* b = btf.get();
    int s32 = btf__add_int(b, "int", 4, BTF_INT_SIGNED);
    int u32 = btf__add_int(b, "unsigned int", 4, 0);
    int u64 = btf__add_int(b, "unsigned long long", 8, 0);
    int ch = btf__add_int(b, "char", 1, BTF_INT_SIGNED);
    int boolean = btf__add_int(b, "_Bool", 1, BTF_INT_BOOL);
    int comm = btf__add_array(b, s32, ch, 16);
    int state = btf__add_enum(b, "state", 4);
    btf__add_enum_value(b, "RUNNING", 0);
    btf__add_enum_value(b, "SLEEPING", 1);
    int pair = btf__add_struct(b, "pair", 8);
    btf__add_field(b, "a", s32, 0, 0);
    btf__add_field(b, "b", s32, 32, 0);
    id = btf__add_struct(b, "event", 48);
    btf__add_field(b, "pid", s32, 0, 0);
    btf__add_field(b, "ts", u64, 64, 0);
    btf__add_field(b, "comm", comm, 128, 0);
    btf__add_field(b, "state", state, 256, 0);
    btf__add_field(b, "ok", boolean, 288, 0);
    btf__add_field(b, "flags", u32, 296, 4);
    btf__add_field(b, "pair", pair, 320, 0);
  }
  package::ExportType type() const {
    package::ExportType t{"event", 48, static_cast<uint32_t>(id), {}};
    for (const char* m : {"pid", "ts", "comm", "state", "ok", "flags", "pair"})
      t.members.push_back({m, ""});
    return t;
  }
};

std::vector<uint8_t> sample() {
  std::vector<uint8_t> d(48, 0);
  put<int32_t>(d, 0, 1234);
  put<uint64_t>(d, 8, 987654321);
  put_text(d, 16, "bash", 16);
  put<uint32_t>(d, 32, 1);
  d[36] = 1;
  d[37] = 0x0b;  // flags = 11
  put<int32_t>(d, 40, -1);
  put<int32_t>(d, 44, 2);
  return d;
}

TEST(OutputEventPrinter, TableHeaderAndRow) {
  EventBtf e;
  std::ostringstream out;
  auto printer = EventPrinter::create(e.btf.get(), e.type(), Format::kTable, true, out);
  ASSERT_TRUE(printer) << printer.error().message;
  (*printer)->print(sample());
  std::string text = out.str();
  std::string header = text.substr(0, text.find('\n') + 1);
  EXPECT_EQ(header, "TIME     PID     TS      COMM            STATE   OK      FLAGS   PAIR\n");
  std::string row = text.substr(header.size());
  ASSERT_TRUE(std::regex_match(row.substr(0, 9), std::regex("[0-9]{2}:[0-9]{2}:[0-9]{2} ")));
  EXPECT_EQ(row.substr(9),
            "1234    987654321 bash            SLEEPING true    11      {\"a\":-1,\"b\":2}\n");
}

TEST(OutputEventPrinter, PidOfReadsThePidMember) {
  EventBtf e;
  std::ostringstream out;
  auto printer = EventPrinter::create(e.btf.get(), e.type(), Format::kJson, false, out);
  ASSERT_TRUE(printer);
  EXPECT_EQ((*printer)->pid_of(sample()), 1234);
  std::vector<uint8_t> short_sample(2, 0);
  EXPECT_EQ((*printer)->pid_of(short_sample), std::nullopt);
}

TEST(OutputEventPrinter, PidOfWithoutAPidMemberIsEmpty) {
  auto b = new_btf();
  int u32 = btf__add_int(b.get(), "unsigned int", 4, 0);
  int id = btf__add_struct(b.get(), "ev", 8);
  btf__add_field(b.get(), "uid", u32, 0, 0);
  btf__add_field(b.get(), "tid", u32, 32, 0);
  package::ExportType type{"ev", 8, static_cast<uint32_t>(id), {{"uid", ""}, {"tid", ""}}};
  std::ostringstream out;
  auto printer = EventPrinter::create(b.get(), type, Format::kJson, false, out);
  ASSERT_TRUE(printer) << printer.error().message;
  EXPECT_EQ((*printer)->pid_of(std::vector<uint8_t>(8, 1)), std::nullopt);
}

TEST(OutputEventPrinter, NoHeaderWhenDisabled) {
  EventBtf e;
  std::ostringstream out;
  auto printer = EventPrinter::create(e.btf.get(), e.type(), Format::kTable, false, out);
  ASSERT_TRUE(printer);
  EXPECT_EQ(out.str(), "");
}

TEST(OutputEventPrinter, JsonLineHasExactlyTheMembers) {
  EventBtf e;
  std::ostringstream out;
  auto printer = EventPrinter::create(e.btf.get(), e.type(), Format::kJson, true, out);
  ASSERT_TRUE(printer);
  (*printer)->print(sample());
  (*printer)->print(sample());
  std::string line = out.str().substr(0, out.str().find('\n'));
  auto parsed = nlohmann::json::parse(line);
  nlohmann::json expected = {{"pid", 1234},
                             {"ts", 987654321},
                             {"comm", "bash"},
                             {"state", "SLEEPING"},
                             {"ok", true},
                             {"flags", 11},
                             {"pair", {{"a", -1}, {"b", 2}}}};
  EXPECT_EQ(parsed, expected);
  EXPECT_EQ(out.str(), line + "\n" + line + "\n");
}

TEST(OutputEventPrinter, JsonEscapesStrings) {
  EventBtf e;
  std::ostringstream out;
  auto printer = EventPrinter::create(e.btf.get(), e.type(), Format::kJson, true, out);
  ASSERT_TRUE(printer);
  auto d = sample();
  put_text(d, 16, "a\"b\\c\x01\xff", 16);
  (*printer)->print(d);
  auto parsed = nlohmann::json::parse(out.str());
  EXPECT_EQ(parsed["comm"], "a\"b\\c\\x01\\xff");
}

TEST(OutputEventPrinter, ShortSampleIsSkipped) {
  EventBtf e;
  std::ostringstream out;
  auto printer = EventPrinter::create(e.btf.get(), e.type(), Format::kJson, true, out);
  ASSERT_TRUE(printer);
  std::vector<uint8_t> short_sample(47, 0);
  (*printer)->print(short_sample);
  EXPECT_EQ(out.str(), "");
}

TEST(OutputEventPrinter, FindsStructByNameWhenIdIsWrong) {
  EventBtf e;
  auto type = e.type();
  type.type_id = 1;  // "int", not the struct
  std::ostringstream out;
  auto printer = EventPrinter::create(e.btf.get(), type, Format::kJson, true, out);
  ASSERT_TRUE(printer);
  (*printer)->print(sample());
  EXPECT_EQ(nlohmann::json::parse(out.str())["pid"], 1234);
}

TEST(OutputEventPrinter, UnknownStructIsBadPackage) {
  EventBtf e;
  auto type = e.type();
  type.type_id = 1;
  type.name = "missing";
  std::ostringstream out;
  auto printer = EventPrinter::create(e.btf.get(), type, Format::kTable, true, out);
  ASSERT_FALSE(printer);
  EXPECT_EQ(printer.error().code, ExitCode::kBadPackage);
  EXPECT_NE(printer.error().message.find("missing"), std::string::npos);
}

}  // namespace
}  // namespace lmp::output
