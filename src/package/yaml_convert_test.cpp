#include "package/yaml_convert.h"

#include <gtest/gtest.h>

namespace lmp::package {
namespace {

using nlohmann::json;

TEST(YamlConvertTest, ResolvesPlainScalars) {
  EXPECT_EQ(resolve_plain_scalar("true"), json(true));
  EXPECT_EQ(resolve_plain_scalar("False"), json(false));
  EXPECT_EQ(resolve_plain_scalar("~"), json(nullptr));
  EXPECT_EQ(resolve_plain_scalar("null"), json(nullptr));
  EXPECT_EQ(resolve_plain_scalar("42"), json(42));
  EXPECT_EQ(resolve_plain_scalar("-7"), json(-7));
  EXPECT_EQ(resolve_plain_scalar("0x1f"), json(31));
  EXPECT_EQ(resolve_plain_scalar("0o17"), json(15));
  EXPECT_EQ(resolve_plain_scalar("1.5"), json(1.5));
  EXPECT_EQ(resolve_plain_scalar("-2e3"), json(-2000.0));
  EXPECT_EQ(resolve_plain_scalar("18446744073709551615"), json(18446744073709551615ull));
  EXPECT_EQ(resolve_plain_scalar("-9223372036854775808"), json(INT64_MIN));
  EXPECT_TRUE(resolve_plain_scalar("99999999999999999999").is_number_float());
  EXPECT_EQ(resolve_plain_scalar("yes"), json("yes"));
  EXPECT_EQ(resolve_plain_scalar("1.2.3"), json("1.2.3"));
  EXPECT_EQ(resolve_plain_scalar("1e999"), json("1e999"));
  EXPECT_EQ(resolve_plain_scalar(".inf"), json(".inf"));
  EXPECT_EQ(resolve_plain_scalar("-"), json("-"));
}

TEST(YamlConvertTest, QuotedScalarsStayStrings) {
  auto doc = yaml_to_json("a: \"true\"\nb: '42'\nc: !!str 7\nd: 42\ne:\nf: \"\"\n");
  ASSERT_TRUE(doc) << doc.error().message;
  EXPECT_EQ(*doc,
            json({{"a", "true"}, {"b", "42"}, {"c", "7"}, {"d", 42}, {"e", nullptr}, {"f", ""}}));
}

TEST(YamlConvertTest, FlowStyleAndNesting) {
  auto doc = yaml_to_json("list: [1, two, {x: 3.25}]\nempty: {}\nnone: []\n");
  ASSERT_TRUE(doc);
  EXPECT_EQ(*doc, json::parse(R"({"list":[1,"two",{"x":3.25}],"empty":{},"none":[]})"));
}

TEST(YamlConvertTest, DuplicateKeysLastWins) {
  auto doc = yaml_to_json("a: 1\na: 2\n");
  ASSERT_TRUE(doc);
  EXPECT_EQ((*doc)["a"], 2);
}

TEST(YamlConvertTest, SyntaxErrorHasLineAndColumn) {
  auto doc = yaml_to_json("a: [1, 2\nb: c\n");
  ASSERT_FALSE(doc);
  EXPECT_EQ(doc.error().code, ExitCode::kBadPackage);
  EXPECT_TRUE(doc.error().message.starts_with("invalid YAML at line ")) << doc.error().message;
}

TEST(YamlConvertTest, RefusesInvalidUtf8) {
  for (std::string_view bad : {"a: \xff\n", "\xc0\xaf: 1\n", "a: \xed\xa0\x80\n",
                               "a: \"\xe2\x82\"\n", "a: [\xf4\x90\x80\x80]\n"}) {
    auto doc = yaml_to_json(bad);
    ASSERT_FALSE(doc) << bad;
    EXPECT_TRUE(doc.error().message.ends_with(": text is not valid UTF-8")) << doc.error().message;
  }
  auto ok = yaml_to_json("a: \"\xc3\xa9 \xe2\x82\xac \xf0\x9f\x90\x9d\"\n");
  ASSERT_TRUE(ok) << ok.error().message;
  EXPECT_EQ((*ok)["a"], "\u00e9 \u20ac \U0001F41D");
}

TEST(YamlConvertTest, RefusesAliasBombs) {
  std::string text = "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n";
  for (int i = 1; i < 9; ++i) {
    std::string prev = "*a" + std::to_string(i - 1);
    text += "a" + std::to_string(i) + ": &a" + std::to_string(i) + " [";
    for (int j = 0; j < 10; ++j) text += (j ? ", " : "") + prev;
    text += "]\n";
  }
  auto doc = yaml_to_json(text);
  ASSERT_FALSE(doc);
  EXPECT_NE(doc.error().message.find("more than 100000 nodes"), std::string::npos);
}

TEST(YamlConvertTest, RefusesDeepNesting) {
  std::string text(300, '[');
  text += std::string(300, ']');
  auto doc = yaml_to_json(text);
  ASSERT_FALSE(doc);
  EXPECT_EQ(doc.error().message, "YAML is nested deeper than 256 levels");
}

TEST(YamlConvertTest, RoundTripsAwkwardValues) {
  json value = {{"strings",
                 {"true", "False", "null", "~", "", "42", "0x10", "1.5", "-", "a: b", "- x",
                  "#hash", "multi\nline", "  spaces  ", "é ü"}},
                {"numbers", {0, -1, 18446744073709551615ull, 1.0, 0.1, -2.5e-300}},
                {"bools", {true, false}},
                {"null", nullptr},
                {"empty_object", json::object()},
                {"empty_array", json::array()},
                {"nested", {{"k", {{"deeper", {1, 2, {{"x", "y"}}}}}}}},
                {"123", "numeric key"}};
  auto text = json_to_yaml(value);
  auto back = yaml_to_json(text);
  ASSERT_TRUE(back) << back.error().message << "\n" << text;
  EXPECT_EQ(*back, value) << text;
}

}  // namespace
}  // namespace lmp::package
