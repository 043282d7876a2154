#include "compiler/doc_comments.h"

#include <gtest/gtest.h>

namespace lmp::compiler {
namespace {

std::vector<DocBlock> parse(std::string_view source) {
  return parse_doc_comments(tokenize_c(source));
}

TEST(Tokenize, SkipsCommentsStringsAndPreprocessorLines) {
  auto tokens = tokenize_c(
      "#define X \\\n  /// not doc\n"
      "#include \"local.h\"\n#include <bpf/bpf_helpers.h>\n"
      "/* /// not doc */ int a; // /// not doc\n"
      "char s[] = \"/// not doc \\\" still string\";\n"
      "//// not doc either\n/// doc text\n");
  std::vector<std::string> docs, includes;
  for (const auto& t : tokens) {
    if (t.kind == TokenKind::kDoc) docs.push_back(t.text);
    if (t.kind == TokenKind::kInclude) includes.push_back(t.text);
  }
  EXPECT_EQ(docs, std::vector<std::string>{"doc text"});
  EXPECT_EQ(includes, std::vector<std::string>{"local.h"});
  bool found_string = false;
  for (const auto& t : tokens) {
    found_string |= t.kind == TokenKind::kString && t.text == "/// not doc \" still string";
  }
  EXPECT_TRUE(found_string);
  EXPECT_EQ(tokens.back().line, 8u);
}

TEST(DocComments, GlobalVariableWithCmdargAndDescription) {
  auto blocks = parse(
      "/// Process ID to trace\n"
      "/// @cmdarg {\"default\": 0, \"short\": \"p\", \"long\": \"pid\"}\n"
      "const volatile pid_t targ_pid = 0;\n");
  ASSERT_EQ(blocks.size(), 1u);
  EXPECT_EQ(blocks[0].kind, DeclKind::kVariable);
  EXPECT_EQ(blocks[0].ident, "targ_pid");
  EXPECT_EQ(blocks[0].description(), "Process ID to trace");
  ASSERT_NE(blocks[0].find("cmdarg"), nullptr);
  EXPECT_EQ(annotation_json(blocks[0].find("cmdarg")->value)["long"], "pid");
}

TEST(DocComments, MapProgramLicenseAndStruct) {
  auto blocks = parse(
      "/// @sample {\"interval\": 1000, \"type\": \"log2_hist\"}\n"
      "struct {\n  __uint(type, BPF_MAP_TYPE_HASH);\n  __type(value, struct hist);\n"
      "} hists SEC(\".maps\");\n"
      "/// counts execs\n"
      "SEC(\"tp/sched/sched_process_exec\")\nint handle_exec(void *ctx) { return 0; }\n"
      "/// @flags 4\n"
      "SEC(\"tp_btf/sched_switch\")\nint BPF_PROG(on_switch, bool preempt) { return 0; }\n"
      "/// @export\nstruct event {\n  int pid;\n};\n"
      "/// @brief A tool\n/// @version 1.0\nchar LICENSE[] SEC(\"license\") = \"GPL\";\n");
  ASSERT_EQ(blocks.size(), 5u);
  EXPECT_EQ(blocks[0].kind, DeclKind::kMap);
  EXPECT_EQ(blocks[0].ident, "hists");
  EXPECT_EQ(blocks[1].kind, DeclKind::kProgram);
  EXPECT_EQ(blocks[1].ident, "handle_exec");
  EXPECT_EQ(blocks[1].section, "tp/sched/sched_process_exec");
  EXPECT_EQ(blocks[2].kind, DeclKind::kProgram);
  EXPECT_EQ(blocks[2].ident, "on_switch");
  EXPECT_EQ(blocks[3].kind, DeclKind::kStruct);
  EXPECT_EQ(blocks[3].ident, "event");
  EXPECT_EQ(annotation_json(blocks[3].find("export")->value), true);
  EXPECT_EQ(blocks[4].kind, DeclKind::kVariable);
  EXPECT_EQ(blocks[4].ident, "LICENSE");
  EXPECT_EQ(blocks[4].section, "license");
  EXPECT_EQ(blocks[4].find("version")->value, "1.0");
}

TEST(DocComments, MultiLineJsonAndProseContinue) {
  auto blocks = parse(
      "/// @cmdarg {\"default\": 5,\n///   \"long\": \"count\"}\n"
      "/// @description first part\n/// second part\n"
      "const volatile int count = 5;\n");
  ASSERT_EQ(blocks.size(), 1u);
  EXPECT_EQ(annotation_json(blocks[0].find("cmdarg")->value)["long"], "count");
  EXPECT_EQ(blocks[0].find("description")->value, "first part second part");
  EXPECT_TRUE(blocks[0].text.empty());
}

TEST(DocComments, DetachedBlocksAndLocalsDocumentNothingMembersTheirMember) {
  auto blocks = parse(
      "/// file header\n\nint x;\n"
      "struct event {\n  /// member doc\n  int pid;\n};\n"
      "int f(void) {\n  /// local\n  int y = 0;\n  return y;\n}\n");
  ASSERT_EQ(blocks.size(), 2u);
  EXPECT_EQ(blocks[0].kind, DeclKind::kNone);
  EXPECT_EQ(blocks[1].kind, DeclKind::kMember);
  EXPECT_EQ(blocks[1].parent, "event");
  EXPECT_EQ(blocks[1].ident, "pid");
}

TEST(DocComments, HelperFunctionsAreRecognised) {
  auto blocks = parse("/// adds one\nstatic __always_inline int inc(int x) { return x + 1; }\n");
  ASSERT_EQ(blocks.size(), 1u);
  EXPECT_EQ(blocks[0].kind, DeclKind::kFunction);
  EXPECT_EQ(blocks[0].ident, "inc");
}

TEST(DocComments, AnnotationValues) {
  EXPECT_EQ(annotation_json(""), true);
  EXPECT_EQ(annotation_json("42"), 42);
  EXPECT_EQ(annotation_json("{\"a\": 1}")["a"], 1);
  EXPECT_EQ(annotation_json("plain words"), "plain words");
}

}  // namespace
}  // namespace lmp::compiler
