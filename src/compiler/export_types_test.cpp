#include "compiler/export_types.h"

#include <gtest/gtest.h>

namespace lmp::compiler {
namespace {

std::set<std::string> candidates(std::string_view source) {
  return event_struct_candidates(tokenize_c(source));
}

TEST(ExportTypes, RingbufReserveIntoTypedPointer) {
  EXPECT_EQ(candidates("struct task_struct *task = (void *)0;\n"
                       "struct event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);"),
            std::set<std::string>{"event"});
}

TEST(ExportTypes, SizeofStructAndCast) {
  EXPECT_EQ(candidates("void *p = bpf_ringbuf_reserve(&rb, sizeof(struct data_t), 0);"),
            std::set<std::string>{"data_t"});
  EXPECT_EQ(candidates("x = (struct sample *)bpf_ringbuf_reserve(&rb, 64, 0);"),
            std::set<std::string>{"sample"});
}

TEST(ExportTypes, AssignmentToDeclaredVariable) {
  EXPECT_EQ(candidates("struct rec *r;\nr = bpf_ringbuf_reserve(&rb, sizeof(*r), 0);"),
            std::set<std::string>{"rec"});
}

TEST(ExportTypes, OutputCallsByVariable) {
  EXPECT_EQ(candidates("struct event event = {};\n"
                       "bpf_perf_event_output(ctx, &events, BPF_F_CURRENT_CPU, &event, "
                       "sizeof(event));"),
            std::set<std::string>{"event"});
  EXPECT_EQ(candidates("struct msg m;\nbpf_ringbuf_output(&rb, &m, sizeof(m), 0);"),
            std::set<std::string>{"msg"});
}

TEST(ExportTypes, MembersAndCommentsAreNotEvents) {
  EXPECT_TRUE(candidates("struct event *e;\n"
                         "bpf_ringbuf_output(&rb, &e->payload, 8, 0);\n"
                         "/* struct ghost *g = bpf_ringbuf_reserve(&rb, 8, 0); */")
                  .empty());
}

TEST(ExportTypes, TwoStructsAreAmbiguous) {
  EXPECT_EQ(candidates("struct a *x = bpf_ringbuf_reserve(&rb, sizeof(*x), 0);\n"
                       "struct b *y = bpf_ringbuf_reserve(&rb, sizeof(*y), 0);")
                .size(),
            2u);
}

TEST(ExportTypes, StructsDefinedInHeader) {
  auto names = structs_defined_in(
      tokenize_c("#pragma once\nstruct fwd;\nstruct event {\n  struct inner { int a; } in;\n};\n"
                 "struct second { int b; };\n"));
  EXPECT_EQ(names, (std::vector<std::string>{"event", "second"}));
}

TEST(ExportTypes, ExportAnnotationMarksStructs) {
  auto blocks = parse_doc_comments(tokenize_c(
      "/// @export\nstruct shown { int a; };\n/// just a comment\nstruct hidden { int b; };\n"));
  EXPECT_EQ(exported_structs(blocks), std::vector<std::string>{"shown"});
}

}  // namespace
}  // namespace lmp::compiler
