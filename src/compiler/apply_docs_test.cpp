#include "compiler/apply_docs.h"

#include <gtest/gtest.h>

namespace lmp::compiler {
namespace {

package::BpfSkel sample_skel() {
  package::BpfSkel skel;
  skel.obj_name = "demo";
  package::Variable pid;
  pid.name = "targ_pid";
  pid.type = "int";
  package::DataSection rodata;
  rodata.name = ".rodata";
  rodata.variables.push_back(pid);
  skel.data_sections.push_back(rodata);
  package::MapInfo map;
  map.name = map.ident = "hists";
  skel.maps.push_back(map);
  package::ProgInfo prog;
  prog.name = "handle";
  prog.attach = "tp/sched/sched_process_exec";
  skel.progs.push_back(prog);
  return skel;
}

Result<package::BpfSkel> apply(std::string_view source) {
  package::BpfSkel skel = sample_skel();
  LMP_CHECK(apply_doc_comments(parse_doc_comments(tokenize_c(source)), "demo.bpf.c", skel));
  return skel;
}

TEST(ApplyDocs, FillsVariablesMapsProgramsAndDoc) {
  auto skel = apply(
      "/// Process to trace\n/// @cmdarg {\"short\": \"p\", \"long\": \"pid\", \"default\": 0}\n"
      "/// @unit pids\nconst volatile int targ_pid = 0;\n"
      "/// @sample {\"interval\": 500, \"type\": \"log2_hist\", \"unit\": \"usecs\"}\n"
      "struct { __uint(type, 1); } hists SEC(\".maps\");\n"
      "/// @ifindex 3\nSEC(\"tp/sched/sched_process_exec\")\nint handle(void *ctx) { return 0; }\n"
      "/// Longer description\n/// @brief Demo tool\n/// @details Line one\n/// line two\n"
      "/// @version 2.0.0\nchar LICENSE[] SEC(\"license\") = \"GPL\";\n");
  ASSERT_TRUE(skel) << skel.error().message;
  const auto& v = skel->data_sections[0].variables[0];
  EXPECT_EQ(v.description, "Process to trace");
  ASSERT_TRUE(v.cmdarg);
  EXPECT_EQ(v.cmdarg->short_name, "p");
  EXPECT_EQ(v.cmdarg->long_name, "pid");
  EXPECT_EQ(*v.cmdarg->default_value, 0);
  EXPECT_EQ(v.extra["unit"], "pids");
  ASSERT_TRUE(skel->maps[0].sample);
  EXPECT_EQ(skel->maps[0].sample->interval_ms, 500u);
  EXPECT_EQ(skel->maps[0].sample->type, "log2_hist");
  EXPECT_EQ(skel->maps[0].sample->unit, "usecs");
  EXPECT_EQ(skel->progs[0].extra["ifindex"], 3);
  ASSERT_TRUE(skel->doc);
  EXPECT_EQ(skel->doc->brief, "Demo tool");
  EXPECT_EQ(skel->doc->details, "Line one line two");
  EXPECT_EQ(skel->doc->version, "2.0.0");
  EXPECT_EQ(skel->doc->description, "Longer description");
}

TEST(ApplyDocs, DefaultAnnotationMakesAnOptionWithThatDefault) {
  auto skel = apply("/// Minimum latency\n/// @default 10000\nconst volatile int targ_pid;\n");
  ASSERT_TRUE(skel) << skel.error().message;
  const auto& v = skel->data_sections[0].variables[0];
  ASSERT_TRUE(v.cmdarg);
  EXPECT_EQ(*v.cmdarg->default_value, 10000);
  EXPECT_EQ(v.description, "Minimum latency");
  // @default wins over a "default" inside @cmdarg, whatever the order.
  skel = apply(
      "/// @default 5\n/// @cmdarg {\"long\": \"pid\", \"default\": 1}\n"
      "const volatile int targ_pid;\n");
  ASSERT_TRUE(skel) << skel.error().message;
  EXPECT_EQ(*skel->data_sections[0].variables[0].cmdarg->default_value, 5);
  EXPECT_EQ(skel->data_sections[0].variables[0].cmdarg->long_name, "pid");
  EXPECT_FALSE(apply("/// @default\nconst volatile int targ_pid;\n"));
}

TEST(ApplyDocs, GuessedSettingsGiveWayToOtherOptions) {
  package::BpfSkel skel = sample_skel();  // .rodata targ_pid
  package::DataSection bss;
  bss.name = ".bss";
  for (const char* name : {"pid", "help", "targ_pid2", "targ_pid3"}) {
    package::Variable v;
    v.name = name;
    v.type = "int";
    v.cmdarg.emplace();
    bss.variables.push_back(v);
  }
  skel.data_sections.push_back(bss);
  auto source =
      "/// @cmdarg {\"long\": \"pid\"}\nconst volatile int targ_pid;\n"
      "/// @cmdarg {\"long\": \"targ-pid3\"}\nint targ_pid2;\n";
  ASSERT_TRUE(apply_doc_comments(parse_doc_comments(tokenize_c(source)), "demo.bpf.c", skel));
  const auto& vars = skel.data_sections[1].variables;
  EXPECT_FALSE(vars[0].cmdarg);  // --pid is the .rodata option's
  EXPECT_FALSE(vars[1].cmdarg);  // --help is reserved
  EXPECT_TRUE(vars[2].cmdarg);   // explicit @cmdarg: kept
  EXPECT_FALSE(vars[3].cmdarg);  // --targ-pid3 taken by targ_pid2's @cmdarg
}

TEST(ApplyDocs, MalformedCmdargIsAnErrorWithLocation) {
  auto skel = apply("/// @cmdarg {\"short\": \"pp\"}\nconst volatile int targ_pid = 0;\n");
  ASSERT_FALSE(skel);
  EXPECT_EQ(skel.error().code, ExitCode::kBuild);
  EXPECT_NE(skel.error().message.find("demo.bpf.c:1"), std::string::npos) << skel.error().message;
  auto bad_json = apply("/// @sample {interval: 1}\nstruct { int x; } hists SEC(\".maps\");\n");
  ASSERT_FALSE(bad_json);
  EXPECT_NE(bad_json.error().message.find("@sample"), std::string::npos);
  auto bad_type =
      apply("/// @sample {\"type\": \"pie\"}\nstruct { int x; } hists SEC(\".maps\");\n");
  ASSERT_FALSE(bad_type);
}

TEST(ApplyDocs, UnknownIdentifierIsOnlyAWarning) {
  auto skel = apply("/// gone\nconst volatile int unused_global = 0;\n");
  ASSERT_TRUE(skel);
  EXPECT_EQ(skel->data_sections[0].variables[0].description, "");
}

TEST(ApplyDocs, MemberFormatsReachTheExportTypes) {
  std::vector<package::ExportType> types(1);
  types[0].name = "event";
  types[0].members = {{"pid", "int"}, {"ret", "int"}, {"flags", "int"}};
  auto blocks = parse_doc_comments(
      tokenize_c("struct event {\n  int pid;\n  /// @format errno:ret\n  int ret;\n"
                 "  int flags;  ///< @format flags:open\n};\n"
                 "struct other {\n  /// @format signal\n  int sig;\n};\n"));
  ASSERT_TRUE(apply_member_formats(blocks, "demo.h", types));
  EXPECT_EQ(types[0].members[0].format, "");
  EXPECT_EQ(types[0].members[1].format, "errno:ret");
  EXPECT_EQ(types[0].members[2].format, "flags:open");

  auto bad = apply_member_formats(
      parse_doc_comments(tokenize_c("struct event {\n  /// @format colour\n  int pid;\n};\n")),
      "demo.h", types);
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, ExitCode::kBuild);
  EXPECT_EQ(bad.error().message, "demo.h:2: unknown @format 'colour'");
  EXPECT_NE(bad.error().hint.find("flags:SET"), std::string::npos);
}

TEST(ApplyDocs, FormatOnAGlobalIsCheckedAndKept) {
  auto skel = apply("/// @format signal\nconst volatile int targ_pid = 0;\n");
  ASSERT_TRUE(skel) << skel.error().message;
  EXPECT_EQ(skel->data_sections[0].variables[0].extra["format"], "signal");
  auto bad = apply("/// @format flags:nope\nconst volatile int targ_pid = 0;\n");
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message.find("unknown @format 'flags:nope'"), std::string::npos);
}

}  // namespace
}  // namespace lmp::compiler
