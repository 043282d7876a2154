#include <gtest/gtest.h>

#include <chrono>
#include <regex>
#include <sstream>

#include "output/output.h"
#include "output/test_btf.h"
#include "output/test_event.h"

namespace lmp::output {
namespace {

using testing::new_btf;
using testing::put;
using testing::put_text;

using testing::EventBtf;

std::vector<uint8_t> sample() {
  return testing::event_sample();
}

// An RFC 3339 local time with milliseconds and the zone's offset.
const std::regex kRfc3339(
    "[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\\.[0-9]{3}[+-][0-9]{2}:[0-9]{2}");

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

TEST(OutputEventPrinter, JsonLineIsTheTimeThenTheMembers) {
  EventBtf e;
  std::ostringstream out;
  auto printer = EventPrinter::create(e.btf.get(), e.type(), Format::kJson, true, out);
  ASSERT_TRUE(printer);
  (*printer)->print(sample());
  std::string line = out.str().substr(0, out.str().find('\n'));
  ASSERT_TRUE(line.starts_with("{\"time\":\"")) << line;
  auto parsed = nlohmann::json::parse(line);
  EXPECT_TRUE(std::regex_match(parsed["time"].get<std::string>(), kRfc3339)) << parsed["time"];
  parsed.erase("time");
  nlohmann::json expected = {{"pid", 1234},
                             {"ts", 987654321},
                             {"comm", "bash"},
                             {"state", "SLEEPING"},
                             {"ok", true},
                             {"flags", 11},
                             {"pair", {{"a", -1}, {"b", 2}}}};
  EXPECT_EQ(parsed, expected);
  // Member order is the struct's.
  EXPECT_NE(line.find(",\"pid\":1234,\"ts\":987654321,\"comm\":\"bash\",\"state\":\"SLEEPING\","
                      "\"ok\":true,\"flags\":11,\"pair\":{\"a\":-1,\"b\":2}}"),
            std::string::npos)
      << line;
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

// The one row `print` writes for `sample` with `options` (no header).
std::string row_of(const EventBtf& e, const PrintOptions& options,
                   const std::vector<uint8_t>& data) {
  std::ostringstream out;
  auto printer = EventPrinter::create(e.btf.get(), e.type(), options, false, out);
  EXPECT_TRUE(printer) << printer.error().message;
  if (!printer) return {};
  (*printer)->print(data);
  return out.str();
}

PrintOptions table_with(TimestampMode mode) {
  PrintOptions options;
  options.timestamp = mode;
  return options;
}

TEST(OutputEventPrinter, TimestampNoneHasNoTimeColumn) {
  EventBtf e;
  std::ostringstream out;
  auto printer =
      EventPrinter::create(e.btf.get(), e.type(), table_with(TimestampMode::kNone), true, out);
  ASSERT_TRUE(printer);
  (*printer)->print(sample());
  EXPECT_EQ(out.str(),
            "PID     TS      COMM            STATE   OK      FLAGS   PAIR\n"
            "1234    987654321 bash            SLEEPING true    11      {\"a\":-1,\"b\":2}\n");
}

TEST(OutputEventPrinter, TimestampIsoRelativeAndNs) {
  EventBtf e;
  std::string iso = row_of(e, table_with(TimestampMode::kIso), sample());
  EXPECT_TRUE(std::regex_match(iso.substr(0, 29), kRfc3339)) << iso;
  EXPECT_EQ(iso.substr(29, 6), " 1234 ");

  PrintOptions relative = table_with(TimestampMode::kRelative);
  relative.start = std::chrono::system_clock::now() - std::chrono::seconds(12);
  std::string rel = row_of(e, relative, sample());
  EXPECT_TRUE(std::regex_match(rel.substr(0, 10), std::regex("12\\.[0-9]{6} "))) << rel;

  // The event's own kernel timestamp (`ts`).
  EXPECT_TRUE(
      row_of(e, table_with(TimestampMode::kNs), sample()).starts_with("987654321        1234"));
}

TEST(OutputEventPrinter, TimestampNsWithoutAMemberIsTheMonotonicClock) {
  auto b = new_btf();
  int u32 = btf__add_int(b.get(), "unsigned int", 4, 0);
  int id = btf__add_struct(b.get(), "ev", 4);
  btf__add_field(b.get(), "uid", u32, 0, 0);
  package::ExportType type{"ev", 4, static_cast<uint32_t>(id), {{"uid", ""}}};
  std::ostringstream out;
  auto printer = EventPrinter::create(b.get(), type, table_with(TimestampMode::kNs), true, out);
  ASSERT_TRUE(printer);
  (*printer)->print(std::vector<uint8_t>(4, 0));
  EXPECT_TRUE(std::regex_match(out.str(), std::regex("TIME\\(ns\\)         UID\n[0-9]+ +0\n")))
      << out.str();
}

TEST(OutputEventPrinter, AMemberNamedTimeMovesTheTimeTo_time) {
  auto b = new_btf();
  int u64 = btf__add_int(b.get(), "unsigned long long", 8, 0);
  int id = btf__add_struct(b.get(), "ev", 8);
  btf__add_field(b.get(), "time", u64, 0, 0);
  package::ExportType type{"ev", 8, static_cast<uint32_t>(id), {{"time", ""}}};
  std::ostringstream out;
  auto printer = EventPrinter::create(b.get(), type, Format::kJson, true, out);
  ASSERT_TRUE(printer);
  std::vector<uint8_t> d;
  testing::put<uint64_t>(d, 0, 42);
  (*printer)->print(d);
  auto parsed = nlohmann::json::parse(out.str());
  EXPECT_EQ(parsed["time"], 42);
  EXPECT_TRUE(std::regex_match(parsed["_time"].get<std::string>(), kRfc3339));
}

TEST(OutputEventPrinter, YamlIsOneDocumentPerEvent) {
  EventBtf e;
  std::ostringstream out;
  auto printer = EventPrinter::create(e.btf.get(), e.type(), Format::kYaml, true, out);
  ASSERT_TRUE(printer);
  auto d = sample();
  testing::put_text(d, 16, "yes", 16);  // a word YAML would read as a bool: quoted
  (*printer)->print(d);
  (*printer)->print(sample());
  std::string text = out.str();
  ASSERT_TRUE(text.starts_with("---\ntime: \"")) << text;
  std::string first = text.substr(0, text.find("---", 3));
  EXPECT_TRUE(std::regex_search(first, kRfc3339));
  EXPECT_EQ(first.substr(first.find('\n', 4) + 1),
            "pid: 1234\nts: 987654321\ncomm: \"yes\"\nstate: SLEEPING\nok: true\nflags: 11\n"
            "pair: {\"a\":-1,\"b\":2}\n");
  EXPECT_NE(text.find("---", 3), std::string::npos);
  EXPECT_NE(text.find("comm: bash\n"), std::string::npos);
}

TEST(OutputEventPrinter, DecodedValuesInTheTable) {
  testing::ConnBtf c;
  std::ostringstream out;
  auto printer =
      EventPrinter::create(c.btf.get(), c.type(), table_with(TimestampMode::kNone), true, out);
  ASSERT_TRUE(printer) << printer.error().message;
  (*printer)->print(testing::conn_sample());
  EXPECT_EQ(out.str(),
            "PID     SIG     FAMILY  DPORT   DADDR           RET     LEVEL\n"
            "7       SIGKILL 2       80      10.0.0.1        ENOENT  3\n");
}

TEST(OutputEventPrinter, JsonKeepsTheNumberAndAddsTheText) {
  testing::ConnBtf c;
  std::ostringstream out;
  auto printer = EventPrinter::create(c.btf.get(), c.type(), Format::kJson, true, out);
  ASSERT_TRUE(printer) << printer.error().message;
  (*printer)->print(testing::conn_sample());
  std::string line = out.str();
  EXPECT_NE(
      line.find(",\"pid\":7,\"sig\":9,\"sig_name\":\"SIGKILL\",\"family\":2,"
                "\"dport\":20480,\"dport_text\":\"80\",\"daddr\":16777226,"
                "\"daddr_text\":\"10.0.0.1\",\"ret\":-2,\"ret_name\":\"ENOENT\",\"level\":3}"),
      std::string::npos)
      << line;
}

TEST(OutputEventPrinter, YamlHasTheDecodedKeysToo) {
  testing::ConnBtf c;
  std::ostringstream out;
  auto printer = EventPrinter::create(c.btf.get(), c.type(), Format::kYaml, true, out);
  ASSERT_TRUE(printer);
  (*printer)->print(testing::conn_sample());
  EXPECT_NE(out.str().find("\nsig: 9\nsig_name: SIGKILL\n"), std::string::npos) << out.str();
  EXPECT_NE(out.str().find("\ndaddr_text: \"10.0.0.1\"\n"), std::string::npos) << out.str();
}

TEST(OutputEventPrinter, ValueWithoutTextStaysRaw) {
  testing::ConnBtf c;
  auto d = testing::conn_sample();
  testing::put<int32_t>(d, 4, 0);   // no signal 0
  testing::put<int32_t>(d, 16, 0);  // errno 0: success
  std::ostringstream out;
  auto printer = EventPrinter::create(c.btf.get(), c.type(), Format::kJson, true, out);
  ASSERT_TRUE(printer);
  (*printer)->print(d);
  auto parsed = nlohmann::json::parse(out.str());
  EXPECT_EQ(parsed["sig"], 0);
  EXPECT_FALSE(parsed.contains("sig_name"));
  EXPECT_FALSE(parsed.contains("ret_name"));
}

}  // namespace
}  // namespace lmp::output
