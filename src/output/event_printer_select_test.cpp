// --fields and --filter in the event printer.
#include <gtest/gtest.h>

#include <regex>
#include <sstream>

#include "output/output.h"
#include "output/test_event.h"

namespace lmp::output {
namespace {

using testing::ConnBtf;
using testing::EventBtf;

PrintOptions with_fields(Format format, std::vector<std::string> fields) {
  PrintOptions options(format);
  options.fields = std::move(fields);
  return options;
}

PrintOptions with_filters(Format format, const std::vector<std::string>& filters) {
  PrintOptions options(format);
  for (const auto& text : filters) options.filters.push_back(*parse_filter(text));
  return options;
}

// What printing `data` once writes (without a header); "" when the event is filtered out.
template <typename Btf>
std::string print_once(const Btf& b, const PrintOptions& options,
                       const std::vector<uint8_t>& data) {
  std::ostringstream out;
  auto printer = EventPrinter::create(b.btf.get(), b.type(), options, false, out);
  EXPECT_TRUE(printer) << printer.error().message;
  if (!printer) return "<error>";
  (*printer)->print(data);
  return out.str();
}

TEST(EventPrinterSelect, FieldsPickAndOrderTableColumns) {
  EventBtf e;
  std::ostringstream out;
  auto printer = EventPrinter::create(e.btf.get(), e.type(),
                                      with_fields(Format::kTable, {"comm", "pid"}), true, out);
  ASSERT_TRUE(printer);
  (*printer)->print(testing::event_sample());
  EXPECT_EQ(out.str(), "COMM            PID\nbash            1234\n");
}

TEST(EventPrinterSelect, FieldsMayPlaceTheTime) {
  EventBtf e;
  std::string row =
      print_once(e, with_fields(Format::kTable, {"pid", "time"}), testing::event_sample());
  EXPECT_TRUE(std::regex_match(row, std::regex("1234    [0-9]{2}:[0-9]{2}:[0-9]{2}\n"))) << row;
}

TEST(EventPrinterSelect, FieldsInJsonKeepTheDecodedKeys) {
  ConnBtf c;
  std::string line =
      print_once(c, with_fields(Format::kJson, {"sig", "pid"}), testing::conn_sample());
  EXPECT_EQ(line, "{\"sig\":9,\"sig_name\":\"SIGKILL\",\"pid\":7}\n");
}

TEST(EventPrinterSelect, UnknownFieldIsAUsageErrorListingTheFields) {
  EventBtf e;
  std::ostringstream out;
  auto printer = EventPrinter::create(e.btf.get(), e.type(),
                                      with_fields(Format::kTable, {"pid", "nope"}), true, out);
  ASSERT_FALSE(printer);
  EXPECT_EQ(printer.error().code, ExitCode::kUsage);
  EXPECT_NE(printer.error().message.find("'nope'"), std::string::npos);
  EXPECT_EQ(printer.error().hint, "their fields: time, pid, ts, comm, state, ok, flags, pair");
  EXPECT_EQ(out.str(), "");  // no header before the error
}

TEST(EventPrinterSelect, DecodedKeysAreNotFields) {
  ConnBtf c;
  std::ostringstream out;
  auto printer = EventPrinter::create(c.btf.get(), c.type(),
                                      with_fields(Format::kJson, {"sig_name"}), true, out);
  ASSERT_FALSE(printer);
  EXPECT_EQ(printer.error().code, ExitCode::kUsage);
}

TEST(EventPrinterSelect, FilteredOutEventsWriteNothing) {
  EventBtf e;
  auto d = testing::event_sample();
  EXPECT_NE(print_once(e, with_filters(Format::kJson, {"pid=1234"}), d), "");
  EXPECT_EQ(print_once(e, with_filters(Format::kJson, {"pid=1"}), d), "");
  EXPECT_NE(print_once(e, with_filters(Format::kTable, {"comm=bash", "pid>1000"}), d), "");
  EXPECT_EQ(print_once(e, with_filters(Format::kTable, {"comm=bash", "pid<1000"}), d), "");
  EXPECT_EQ(print_once(e, with_filters(Format::kYaml, {"comm!=bash"}), d), "");
}

TEST(EventPrinterSelect, FiltersSeeDecodedText) {
  ConnBtf c;
  auto d = testing::conn_sample();
  for (const char* match : {"sig=SIGKILL", "sig=9", "daddr=10.0.0.1", "daddr~^10\\.", "ret=ENOENT",
                            "ret=-2", "dport=80", "sig!=SIGTERM"})
    EXPECT_NE(print_once(c, with_filters(Format::kJson, {match}), d), "") << match;
  for (const char* miss : {"sig=SIGTERM", "sig!=9", "daddr=10.0.0.2", "ret=EPERM", "dport=81"})
    EXPECT_EQ(print_once(c, with_filters(Format::kJson, {miss}), d), "") << miss;
}

TEST(EventPrinterSelect, FilterOnAMissingFieldIsAUsageError) {
  ConnBtf c;
  PrintOptions options(Format::kTable);
  options.filters.push_back({"comm", FieldFilter::Op::kEqual, "bash"});  // what --comm adds
  std::ostringstream out;
  auto printer = EventPrinter::create(c.btf.get(), c.type(), options, true, out);
  ASSERT_FALSE(printer);
  EXPECT_EQ(printer.error().code, ExitCode::kUsage);
  EXPECT_NE(printer.error().message.find("no field 'comm'"), std::string::npos);
  EXPECT_NE(printer.error().hint.find("pid, sig, family, dport, daddr, ret, level"),
            std::string::npos);
}

TEST(EventPrinterSelect, BadFiltersAreUsageErrors) {
  EventBtf e;
  for (const char* bad : {"comm~[", "pid>many", "comm>3"}) {
    std::ostringstream out;
    auto printer =
        EventPrinter::create(e.btf.get(), e.type(), with_filters(Format::kJson, {bad}), true, out);
    ASSERT_FALSE(printer) << bad;
    EXPECT_EQ(printer.error().code, ExitCode::kUsage) << bad;
  }
}

}  // namespace
}  // namespace lmp::output
