#include "compiler/wasm_tool_header.h"

#include <gtest/gtest.h>

#include "compiler/wasm_skel.h"

namespace lmp::compiler {
namespace {

TEST(WasmToolHeader, FindsTheGuardAndTheTypesItDefines) {
  ToolHeader h = read_tool_header(
      "/* comment: #ifndef NOT_THIS */\n// struct nope { int a; };\n"
      "  #ifndef  TOOL_H\n#define TOOL_H\n#define N 4\n"
      "enum kind { A = 1 };\nstruct event { int pid; struct inner { int x; } in; };\n"
      "union value { int i; float f; };\nstruct declared_only;\nstruct event *use;\n#endif\n");
  EXPECT_EQ(h.guard, "TOOL_H");
  EXPECT_FALSE(h.pragma_once);
  std::set<std::string> expected = {"enum kind", "struct event", "struct inner", "union value"};
  EXPECT_EQ(h.tags, expected);
}

TEST(WasmToolHeader, PragmaOnceAndMismatchedGuardsAreNoGuard) {
  EXPECT_TRUE(read_tool_header("#pragma once\nstruct e { int a; };\n").pragma_once);
  EXPECT_EQ(read_tool_header("#pragma once\nstruct e { int a; };\n").guard, "");
  EXPECT_EQ(read_tool_header("#ifndef A_H\n#define B_H\n#endif\n").guard, "");
  EXPECT_EQ(read_tool_header("").guard, "");
}

TEST(WasmSkelAttach, SectionsWithoutAnAttachPointNeedATarget) {
  for (const char* s : {"uprobe", "usdt", "kprobe", "tracepoint", "raw_tp", "fentry", "xdp",
                        "tc/ingress", "classifier", "socket", "sk_skb/stream_verdict", "sockops",
                        "cgroup_skb/ingress", "flow_dissector"})
    EXPECT_TRUE(needs_attach_target(s)) << s;
  for (const char* s : {"tp/sched/sched_process_exec", "kprobe/do_unlinkat", "raw_tp/sched_switch",
                        "fentry/do_unlinkat", "uprobe//bin/bash:readline", "lsm/bpf",
                        "tp_btf/sched_switch", "perf_event", "usdt/libc.so.6:libc:setjmp"})
    EXPECT_FALSE(needs_attach_target(s)) << s;
}

}  // namespace
}  // namespace lmp::compiler
