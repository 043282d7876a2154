#include "compiler/config_options.h"

#include <gtest/gtest.h>

namespace lmp::compiler {
namespace {

using nlohmann::json;

package::BpfSkel skel_with(const char* section, const char* name) {
  package::Variable v;
  v.name = name;
  v.type = "unsigned long long";
  package::DataSection s;
  s.name = section;
  s.variables.push_back(v);
  package::BpfSkel skel;
  skel.data_sections.push_back(s);
  return skel;
}

TEST(ConfigOptions, EntriesActLikeCmdarg) {
  auto skel = skel_with(".data", "min_us");
  auto config = json::parse(
      R"({"name": "x", "options": {"min_us": {"default": 10000, "short": "m", "help": "min"}}})");
  ASSERT_TRUE(apply_config_options(config, skel));
  const auto& v = skel.data_sections[0].variables[0];
  ASSERT_TRUE(v.cmdarg);
  EXPECT_EQ(*v.cmdarg->default_value, 10000);
  EXPECT_EQ(v.cmdarg->short_name, "m");
  EXPECT_EQ(v.cmdarg->help, "min");
  // The shorthand sets only the default and keeps the rest.
  ASSERT_TRUE(apply_config_options(json::parse(R"({"options": {"min_us": 5}})"), skel));
  EXPECT_EQ(*skel.data_sections[0].variables[0].cmdarg->default_value, 5);
  EXPECT_EQ(skel.data_sections[0].variables[0].cmdarg->short_name, "m");
  // Unknown globals are only a warning; no "options" is nothing.
  EXPECT_TRUE(apply_config_options(json::parse(R"({"options": {"nope": 1}})"), skel));
  EXPECT_TRUE(apply_config_options(json::parse(R"({"name": "x"})"), skel));
}

TEST(ConfigOptions, MalformedEntriesAreErrors) {
  auto skel = skel_with(".bss", "pid");
  EXPECT_FALSE(apply_config_options(json::parse(R"({"options": [1]})"), skel));
  EXPECT_FALSE(apply_config_options(json::parse(R"({"options": {"pid": {"lng": "p"}}})"), skel));
  EXPECT_FALSE(apply_config_options(json::parse(R"({"options": {"pid": {"short": "pp"}}})"), skel));
  EXPECT_FALSE(apply_config_options(json::parse(R"({"options": {"pid": {"help": 3}}})"), skel));
}

}  // namespace
}  // namespace lmp::compiler
