#include "output/event_filter.h"

#include <gtest/gtest.h>

#include "output/test_event.h"

namespace lmp::output::detail {
namespace {

using lmp::output::testing::ConnBtf;
using lmp::output::testing::EventBtf;

template <typename Btf>
Result<EventFilter> filter_for(const Btf& b, const std::vector<std::string>& texts) {
  std::vector<FieldFilter> filters;
  for (const auto& text : texts) filters.push_back(*parse_filter(text));
  auto columns = plan_columns(b.btf.get(), static_cast<uint32_t>(b.id), b.type());
  EXPECT_TRUE(columns);
  return EventFilter::create(b.btf.get(), b.type().name, filters, *columns);
}

template <typename Btf>
bool matches(const Btf& b, const std::vector<std::string>& texts,
             const std::vector<uint8_t>& data) {
  auto filter = filter_for(b, texts);
  EXPECT_TRUE(filter) << filter.error().message;
  return filter && filter->matches(data);
}

TEST(EventFilter, NoFiltersMatchEverything) {
  EventBtf e;
  auto filter = filter_for(e, {});
  ASSERT_TRUE(filter);
  EXPECT_TRUE(filter->empty());
  EXPECT_TRUE(filter->matches(testing::event_sample()));
}

TEST(EventFilter, EqualityOnNumbersTextEnumsAndBools) {
  EventBtf e;
  auto d = testing::event_sample();
  EXPECT_TRUE(matches(e, {"pid=1234"}, d));
  EXPECT_TRUE(matches(e, {"pid=0x4d2"}, d));
  EXPECT_FALSE(matches(e, {"pid=123"}, d));
  EXPECT_TRUE(matches(e, {"pid!=123"}, d));
  EXPECT_TRUE(matches(e, {"comm=bash"}, d));
  EXPECT_FALSE(matches(e, {"comm=bas"}, d));
  EXPECT_TRUE(matches(e, {"state=SLEEPING"}, d));
  EXPECT_TRUE(matches(e, {"state=1"}, d));
  EXPECT_TRUE(matches(e, {"ok=true"}, d));
  EXPECT_TRUE(matches(e, {"ok=1"}, d));
  EXPECT_TRUE(matches(e, {"flags=11"}, d));
  EXPECT_TRUE(matches(e, {"pair={\"a\":-1,\"b\":2}"}, d));
}

TEST(EventFilter, CharArraysCompareAsTextOnly) {
  EventBtf e;
  auto d = testing::event_sample();
  testing::put_text(d, 16, "10", 16);
  EXPECT_TRUE(matches(e, {"comm=10"}, d));
  EXPECT_FALSE(matches(e, {"comm=0xa"}, d));
}

TEST(EventFilter, RegexSearchesTheText) {
  EventBtf e;
  auto d = testing::event_sample();
  EXPECT_TRUE(matches(e, {"comm~^ba"}, d));
  EXPECT_TRUE(matches(e, {"comm~as"}, d));
  EXPECT_FALSE(matches(e, {"comm~^as"}, d));
  EXPECT_TRUE(matches(e, {"state~SLEEP"}, d));
  EXPECT_TRUE(matches(e, {"pid~^12"}, d));
}

TEST(EventFilter, ComparisonsAreNumeric) {
  EventBtf e;
  auto d = testing::event_sample();
  EXPECT_TRUE(matches(e, {"pid>1000"}, d));
  EXPECT_FALSE(matches(e, {"pid>1234"}, d));
  EXPECT_TRUE(matches(e, {"pid>=1234"}, d));
  EXPECT_TRUE(matches(e, {"pid<=1234"}, d));
  EXPECT_TRUE(matches(e, {"pid<1234.5"}, d));
  EXPECT_TRUE(matches(e, {"pid>-5"}, d));
  EXPECT_TRUE(matches(e, {"ts>100", "ts<18446744073709551615"}, d));
}

TEST(EventFilter, NegativeAndLargeValuesCompareExactly) {
  EventBtf e;
  auto d = testing::event_sample();
  testing::put<int32_t>(d, 0, -1);
  testing::put<uint64_t>(d, 8, UINT64_MAX);
  EXPECT_TRUE(matches(e, {"pid<0"}, d));
  EXPECT_TRUE(matches(e, {"pid=-1"}, d));
  EXPECT_TRUE(matches(e, {"ts>9223372036854775807"}, d));
  EXPECT_TRUE(matches(e, {"ts=18446744073709551615"}, d));
  EXPECT_FALSE(matches(e, {"ts=-1"}, d));
}

TEST(EventFilter, AllMustMatch) {
  EventBtf e;
  auto d = testing::event_sample();
  EXPECT_TRUE(matches(e, {"pid=1234", "comm=bash"}, d));
  EXPECT_FALSE(matches(e, {"pid=1234", "comm=zsh"}, d));
}

TEST(EventFilter, DecodedTextAndNamesOnInput) {
  ConnBtf c;
  auto d = testing::conn_sample();
  EXPECT_TRUE(matches(c, {"sig=SIGKILL"}, d));
  EXPECT_TRUE(matches(c, {"sig=9"}, d));
  EXPECT_TRUE(matches(c, {"sig=KILL"}, d));  // parse_value_text's aliases
  EXPECT_FALSE(matches(c, {"sig=SIGTERM"}, d));
  EXPECT_TRUE(matches(c, {"sig~KILL$"}, d));
  EXPECT_TRUE(matches(c, {"daddr=10.0.0.1"}, d));
  EXPECT_TRUE(matches(c, {"daddr~^10\\.0\\."}, d));
  EXPECT_TRUE(matches(c, {"ret=ENOENT"}, d));
  EXPECT_TRUE(matches(c, {"ret<0"}, d));
  EXPECT_TRUE(matches(c, {"dport=80"}, d));  // the decoded text (the raw number is 20480)
}

TEST(EventFilter, Errors) {
  EventBtf e;
  auto missing = filter_for(e, {"uid=0"});
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, ExitCode::kUsage);
  EXPECT_NE(missing.error().message.find("uid=0"), std::string::npos);
  EXPECT_NE(missing.error().hint.find("pid, ts, comm, state, ok, flags, pair"), std::string::npos);

  auto regex = filter_for(e, {"comm~(unclosed"});
  ASSERT_FALSE(regex);
  EXPECT_EQ(regex.error().code, ExitCode::kUsage);

  auto not_number = filter_for(e, {"pid>ten"});
  ASSERT_FALSE(not_number);
  EXPECT_NE(not_number.error().message.find("'ten' is not a number"), std::string::npos);

  auto text_column = filter_for(e, {"comm<5"});
  ASSERT_FALSE(text_column);
  EXPECT_NE(text_column.error().message.find("comm is not a number"), std::string::npos);
}

TEST(EventFilter, ParseNumber) {
  EXPECT_EQ(parse_number("42")->integer, 42);
  EXPECT_EQ(parse_number("-42")->integer, -42);
  EXPECT_EQ(parse_number("0x1F")->integer, 31);
  EXPECT_EQ(parse_number("18446744073709551615")->integer, __int128{UINT64_MAX});
  EXPECT_TRUE(parse_number("1.5")->is_real);
  EXPECT_FALSE(parse_number(""));
  EXPECT_FALSE(parse_number("12ab"));
  EXPECT_FALSE(parse_number("0x"));
}

}  // namespace
}  // namespace lmp::output::detail
