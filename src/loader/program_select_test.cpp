#include "loader/program_select.h"

#include <gtest/gtest.h>

namespace lmp::loader {
namespace {

std::vector<PlannedProgram> programs(
    std::initializer_list<std::pair<const char*, const char*>> list) {
  std::vector<PlannedProgram> out;
  for (const auto& [name, section] : list) out.push_back({name, section});
  return out;
}

// A kernel like the test machine's: no kprobes, no trampolines, tracepoints of all kinds.
std::string no_kprobes_no_fentry(const Hook& hook) {
  switch (hook.mechanism) {
    case Mechanism::kKprobe:
    case Mechanism::kKretprobe:
      return "no kprobes";
    case Mechanism::kFentry:
    case Mechanism::kFexit:
      return "no trampolines";
    default:
      return {};
  }
}

std::string everything(const Hook&) {
  return {};
}

std::vector<bool> loads(const Result<Plan>& plan) {
  EXPECT_TRUE(plan) << plan.error().message;
  return plan ? plan->load : std::vector<bool>{};
}

TEST(ProgramSelect, HookOfGroupsOneHookAcrossMechanisms) {
  EXPECT_EQ(hook_of("tp_btf/sched_switch").key, "tracepoint:sched_switch");
  EXPECT_EQ(hook_of("raw_tp/sched_switch").key, "tracepoint:sched_switch");
  EXPECT_EQ(hook_of("raw_tracepoint/sched_switch").key, "tracepoint:sched_switch");
  Hook tp = hook_of("tp/sched/sched_switch");
  EXPECT_EQ(tp.key, "tracepoint:sched_switch");
  EXPECT_EQ(tp.category, "sched");
  EXPECT_EQ(tp.mechanism, Mechanism::kTracepoint);
  EXPECT_EQ(hook_of("tracepoint/sched/sched_switch").key, "tracepoint:sched_switch");
  EXPECT_EQ(hook_of("fentry/do_unlinkat").key, "entry:do_unlinkat");
  EXPECT_EQ(hook_of("kprobe/do_unlinkat").key, "entry:do_unlinkat");
  EXPECT_EQ(hook_of("fexit/do_unlinkat").key, "return:do_unlinkat");
  EXPECT_EQ(hook_of("kretprobe/do_unlinkat").key, "return:do_unlinkat");
  EXPECT_LT(hook_of("tp_btf/x").rank, hook_of("raw_tp/x").rank);
  EXPECT_LT(hook_of("raw_tp/x").rank, hook_of("tp/c/x").rank);
  EXPECT_LT(hook_of("fentry/f").rank, hook_of("kprobe/f").rank);
}

TEST(ProgramSelect, HookOfLeavesOtherSectionsAlone) {
  for (const char* section : {"kprobe/f+0x10", "kprobe", "uprobe/bin:f", "tc", "xdp",
                              "fentry/module:f", "tp/sched", "tp/a/b/c", "fentry.s/f", "lsm/x"})
    EXPECT_TRUE(hook_of(section).key.empty()) << section;
}

TEST(ProgramSelect, BestSupportedVariantLoadsAlone) {
  auto p = programs({{"btf", "tp_btf/sched_switch"},
                     {"raw", "raw_tp/sched_switch"},
                     {"tp", "tp/sched/sched_switch"},
                     {"other", "tp/sched/sched_process_exec"}});
  EXPECT_EQ(loads(plan_programs(p, {}, {}, false, everything)),
            (std::vector<bool>{true, false, false, true}));
  auto no_btf = [](const Hook& hook) {
    return hook.mechanism == Mechanism::kTpBtf ? std::string("missing") : std::string();
  };
  EXPECT_EQ(loads(plan_programs(p, {}, {}, false, no_btf)),
            (std::vector<bool>{false, true, false, true}));
}

TEST(ProgramSelect, EntryAndReturnAreDifferentHooks) {
  auto p =
      programs({{"fe", "fentry/f"}, {"kp", "kprobe/f"}, {"fx", "fexit/f"}, {"kr", "kretprobe/f"}});
  auto plan = plan_programs(p, {}, {}, false, everything);
  ASSERT_TRUE(plan);
  EXPECT_EQ(plan->groups.size(), 2u);
  EXPECT_EQ(plan->load, (std::vector<bool>{true, false, true, false}));
}

TEST(ProgramSelect, NoSupportedVariantLoadsOneThatLoadsAndWarnsAtAttach) {
  // Neither fentry nor kprobe works: the kprobe loads (its attach is warned about later).
  auto p = programs({{"fe", "fentry/f"}, {"kp", "kprobe/f"}, {"tp", "tp/c/other"}});
  EXPECT_EQ(loads(plan_programs(p, {}, {}, false, no_kprobes_no_fentry)),
            (std::vector<bool>{false, true, true}));
}

TEST(ProgramSelect, LoneTrampolineProgramIsLeftOutWhenOthersLoad) {
  auto p = programs({{"fe", "fentry/f"}, {"tp", "tp/c/x"}});
  auto plan = plan_programs(p, {}, {}, false, no_kprobes_no_fentry);
  ASSERT_TRUE(plan);
  EXPECT_EQ(plan->load, (std::vector<bool>{false, true}));
  ASSERT_EQ(plan->warnings.size(), 1u);
  EXPECT_NE(plan->warnings[0].find("fe (fentry/f)"), std::string::npos);
  // Alone, it stays: the load then fails with the usual error.
  EXPECT_EQ(
      loads(plan_programs(programs({{"fe", "fentry/f"}}), {}, {}, false, no_kprobes_no_fentry)),
      (std::vector<bool>{true}));
}

TEST(ProgramSelect, SameMechanismTwiceIsNoGroup) {
  auto p = programs({{"a", "tp_btf/x"}, {"b", "tp_btf/x"}, {"c", "raw_tp/x"}});
  auto plan = plan_programs(p, {}, {}, false, everything);
  ASSERT_TRUE(plan);
  EXPECT_TRUE(plan->groups.empty());
  EXPECT_EQ(plan->load, (std::vector<bool>{true, true, true}));
}

TEST(ProgramSelect, RefusedVariantFallsBackToTheNext) {
  auto p = programs({{"btf", "tp_btf/x"}, {"raw", "raw_tp/x"}});
  EXPECT_EQ(loads(plan_programs(p, {}, {"btf"}, false, everything)),
            (std::vector<bool>{false, true}));
}

TEST(ProgramSelect, UserSelectionOverridesTheChoice) {
  auto p = programs({{"btf", "tp_btf/x"}, {"raw", "raw_tp/x"}, {"tp", "tp/c/x"}});
  EXPECT_EQ(loads(plan_programs(p, {{"tp"}, {}}, {}, false, everything)),
            (std::vector<bool>{false, false, true}));
  EXPECT_EQ(loads(plan_programs(p, {{"tp", "raw"}, {}}, {}, false, everything)),
            (std::vector<bool>{false, true, true}));
  EXPECT_EQ(loads(plan_programs(p, {{}, {"btf"}}, {}, false, everything)),
            (std::vector<bool>{false, true, false}));
}

TEST(ProgramSelect, UnknownNameIsUsageErrorListingPrograms) {
  auto p = programs({{"btf", "tp_btf/x"}, {"raw", "raw_tp/x"}});
  for (const ProgramChoice& choice : {ProgramChoice{{"nope"}, {}}, ProgramChoice{{}, {"nope"}}}) {
    auto plan = plan_programs(p, choice, {}, false, everything);
    ASSERT_FALSE(plan);
    EXPECT_EQ(plan.error().code, ExitCode::kUsage);
    EXPECT_NE(plan.error().message.find("'nope'"), std::string::npos);
    EXPECT_NE(plan.error().message.find("btf, raw"), std::string::npos);
  }
}

TEST(ProgramSelect, PackageAutoloadAndLink) {
  auto p = programs({{"a", "tp/c/a"}, {"b", "tp/c/b"}, {"c", "tp/c/c"}});
  p[0].extra["autoload"] = false;
  p[1].link = false;
  EXPECT_EQ(loads(plan_programs(p, {}, {}, false, everything)),
            (std::vector<bool>{false, false, true}));
  // With a prog array, link:false programs may be tail-call targets: they load.
  EXPECT_EQ(loads(plan_programs(p, {}, {}, true, everything)),
            (std::vector<bool>{false, true, true}));
  // --programs names them explicitly: they load.
  EXPECT_EQ(loads(plan_programs(p, {{"a", "b"}, {}}, {}, false, everything)),
            (std::vector<bool>{true, true, false}));
  // SEC("?...") programs start with autoload off.
  p[2].autoload = false;
  EXPECT_EQ(loads(plan_programs(p, {}, {}, false, everything)),
            (std::vector<bool>{false, false, false}));
}

}  // namespace
}  // namespace lmp::loader
