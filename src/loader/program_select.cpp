#include "loader/program_select.h"

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>

#include "common/log.h"
#include "loader/attach.h"
#include "loader/bpf_object_handle.h"
#include "loader/libbpf_log.h"
#include "loader/tracefs.h"

namespace lmp::loader {
namespace {

constexpr const char* kNoKprobes = "this kernel does not support kprobes (CONFIG_KPROBES off?)";

bool exists_program_select(const std::string& path) {
  std::error_code ec;
  return std::filesystem::exists(path, ec);
}

bool is_entry_or_return(Mechanism m) {
  return m == Mechanism::kFentry || m == Mechanism::kFexit || m == Mechanism::kKprobe ||
         m == Mechanism::kKretprobe;
}

// Answers of the running kernel, each asked once.
struct KernelState {
  int kprobes = -1;  // -1 unknown
  btf* vmlinux = nullptr;
  bool vmlinux_tried = false;
  std::map<std::string, std::string> trampolines;  // "entry:F" -> reason ("" = works)
  ~KernelState() { btf__free(vmlinux); }

  const btf* kernel_btf() {
    if (!vmlinux_tried) {
      vmlinux_tried = true;
      vmlinux = btf__load_vmlinux_btf();
      if (!vmlinux) vmlinux = nullptr;  // libbpf 1.x returns NULL and sets errno
    }
    return vmlinux;
  }

  bool has_kprobes() {
    if (kprobes < 0) {
      std::string tracefs = tracefs_dir();
      kprobes = exists_program_select("/sys/bus/event_source/devices/kprobe") ||
                (!tracefs.empty() && exists_program_select(tracefs + "/kprobe_events"));
    }
    return kprobes == 1;
  }

  // Loads a tracing program "r0 = 0; exit" for F and attaches it: the only sure test that
  // trampolines work (a kernel can have the config and still refuse them).
  std::string probe_trampoline(const std::string& function, bool exit) {
    const btf* kernel = kernel_btf();
    if (!kernel) return "the kernel's BTF cannot be read";
    int id = btf__find_by_name_kind(kernel, function.c_str(), BTF_KIND_FUNC);
    if (id < 0) return "kernel function " + function + " is not in the kernel's BTF";
    bpf_insn insns[2] = {};
    insns[0].code = BPF_ALU64 | BPF_MOV | BPF_K;  // r0 = 0
    insns[1].code = BPF_JMP | BPF_EXIT;
    LIBBPF_OPTS(bpf_prog_load_opts, opts);
    opts.expected_attach_type = exit ? BPF_TRACE_FEXIT : BPF_TRACE_FENTRY;
    opts.attach_btf_id = static_cast<__u32>(id);
    const std::string no_trampolines = "this kernel does not support fentry/fexit (BPF trampolines";
    int prog = bpf_prog_load(BPF_PROG_TYPE_TRACING, "lmp_probe", "GPL", insns, 2, &opts);
    if (prog < 0) return no_trampolines + ": " + libbpf_error_text(errno) + ")";
    int link = bpf_raw_tracepoint_open(nullptr, prog);
    int err = errno;
    close(prog);
    if (link < 0) return no_trampolines + ": " + libbpf_error_text(err) + ")";
    close(link);
    return {};
  }

  std::string lacks(const Hook& hook) {
    switch (hook.mechanism) {
      case Mechanism::kKprobe:
      case Mechanism::kKretprobe:
        return has_kprobes() ? std::string() : kNoKprobes;
      case Mechanism::kFentry:
      case Mechanism::kFexit: {
        auto [it, fresh] = trampolines.try_emplace(hook.key);
        if (fresh) it->second = probe_trampoline(hook.target, hook.mechanism == Mechanism::kFexit);
        return it->second;
      }
      case Mechanism::kTpBtf: {
        const btf* kernel = kernel_btf();
        std::string type = "btf_trace_" + hook.target;
        if (kernel && btf__find_by_name_kind(kernel, type.c_str(), BTF_KIND_TYPEDEF) < 0)
          return "tracepoint " + hook.target + " is not in the kernel's BTF";
        return {};
      }
      case Mechanism::kTracepoint: {
        std::string tracefs = tracefs_dir();
        if (!tracefs.empty() &&
            !exists_program_select(tracefs + "/events/" + hook.category + "/" + hook.target))
          return "tracepoint " + hook.category + "/" + hook.target + " does not exist";
        return {};
      }
      default:
        return {};
    }
  }
};

KernelState& running_kernel() {
  static KernelState state;
  return state;
}

std::string names_of(const std::vector<PlannedProgram>& programs) {
  std::string names;
  for (const auto& p : programs) names += (names.empty() ? "" : ", ") + p.name;
  return names;
}

// The package's word: "autoload": false, or "link": false when no prog array could need the
// program as a tail-call target.
bool package_loads(const PlannedProgram& p, bool has_prog_array) {
  if (p.extra.is_object() && p.extra.contains("autoload") && p.extra["autoload"] == false)
    return false;
  return p.link || has_prog_array;
}

const AlternativeGroup* group_of(const Plan& plan, std::size_t index) {
  for (const auto& group : plan.groups)
    if (std::ranges::find(group.members, index) != group.members.end()) return &group;
  return nullptr;
}

std::string describe(const PlannedProgram& p) {
  return p.name + " (" + p.section + ")";
}

// The first line of an error message; a verifier log that followed it is left to -v.
std::string first_line(const std::string& text) {
  std::string line = text.substr(0, text.find('\n'));
  if (line.ends_with(':')) line.back() = ' ', line += "(-v shows why)";
  return line;
}

}  // namespace

std::vector<PlannedProgram> planned_programs(bpf_object* object,
                                             const std::vector<package::ProgInfo>& progs) {
  std::vector<PlannedProgram> programs;
  bpf_program* program = nullptr;
  bpf_object__for_each_program(program, object) {
    PlannedProgram p;
    p.name = bpf_program__name(program);
    p.section = bpf_program__section_name(program);
    p.autoload = bpf_program__autoload(program);
    for (const auto& info : progs)
      if (info.name == p.name) {
        p.extra = info.extra;
        p.link = info.link;
      }
    programs.push_back(std::move(p));
  }
  return programs;
}

bool has_prog_array(bpf_object* object) {
  bpf_map* map = nullptr;
  bpf_object__for_each_map(map, object) {
    if (bpf_map__type(map) == BPF_MAP_TYPE_PROG_ARRAY) return true;
  }
  return false;
}

Hook hook_of(std::string_view section) {
  if (section.starts_with('?')) section.remove_prefix(1);
  auto slash = section.find('/');
  if (slash == std::string_view::npos || slash + 1 == section.size()) return {};
  std::string_view kind = section.substr(0, slash);
  std::string_view rest = section.substr(slash + 1);
  Hook hook;
  if (kind == "fentry" || kind == "fexit" || kind == "kprobe" || kind == "kretprobe") {
    if (rest.find_first_of("+:/") != std::string_view::npos) return {};  // offset, module
    bool entry = kind == "fentry" || kind == "kprobe";
    bool trampoline = kind == "fentry" || kind == "fexit";
    hook.mechanism = trampoline ? (entry ? Mechanism::kFentry : Mechanism::kFexit)
                                : (entry ? Mechanism::kKprobe : Mechanism::kKretprobe);
    hook.rank = trampoline ? 0 : 1;
    hook.target = std::string(rest);
    hook.key = (entry ? "entry:" : "return:") + hook.target;
    return hook;
  }
  if (kind == "tp_btf" || kind == "raw_tp" || kind == "raw_tracepoint") {
    if (rest.find('/') != std::string_view::npos) return {};
    hook.mechanism = kind == "tp_btf" ? Mechanism::kTpBtf : Mechanism::kRawTp;
    hook.rank = kind == "tp_btf" ? 0 : 1;
  } else if (kind == "tp" || kind == "tracepoint") {
    auto second = rest.find('/');
    if (second == 0 || second == std::string_view::npos || second + 1 == rest.size() ||
        rest.find('/', second + 1) != std::string_view::npos)
      return {};
    hook.category = std::string(rest.substr(0, second));
    rest = rest.substr(second + 1);
    hook.mechanism = Mechanism::kTracepoint;
    hook.rank = 2;
  } else {
    return {};
  }
  hook.target = std::string(rest);
  hook.key = "tracepoint:" + hook.target;
  return hook;
}

bool fails_at_load(Mechanism mechanism) {
  return mechanism == Mechanism::kFentry || mechanism == Mechanism::kFexit ||
         mechanism == Mechanism::kTpBtf;
}

SupportCheck kernel_support() {
  return [](const Hook& hook) { return running_kernel().lacks(hook); };
}

Result<Plan> plan_programs(const std::vector<PlannedProgram>& programs, const ProgramChoice& choice,
                           const std::set<std::string>& refused, bool prog_array,
                           const SupportCheck& support) {
  for (const auto* list : {&choice.only, &choice.skip})
    for (const auto& name : *list)
      if (std::ranges::none_of(programs, [&](const auto& p) { return p.name == name; }))
        return fail(ExitCode::kUsage,
                    std::string(list == &choice.only ? "--programs" : "--skip-program") +
                        ": this package has no program '" + name +
                        "' (its programs: " + names_of(programs) + ")");
  const bool only = !choice.only.empty();
  auto listed = [](const std::vector<std::string>& list, const std::string& name) {
    return std::ranges::find(list, name) != list.end();
  };
  Plan plan;
  plan.load.resize(programs.size());
  for (std::size_t i = 0; i < programs.size(); ++i) {
    const auto& p = programs[i];
    bool on = only ? listed(choice.only, p.name) : p.autoload && package_loads(p, prog_array);
    plan.load[i] = on && !listed(choice.skip, p.name) && !refused.contains(p.name);
  }

  // Groups: one hook, two or more programs, each a different mechanism.
  std::map<std::string, std::vector<std::size_t>> by_key;
  std::vector<Hook> hooks;
  for (std::size_t i = 0; i < programs.size(); ++i) {
    hooks.push_back(hook_of(programs[i].section));
    if (!hooks.back().key.empty()) by_key[hooks.back().key].push_back(i);
  }
  for (auto& [key, members] : by_key) {
    std::set<Mechanism> mechanisms;
    for (auto i : members) mechanisms.insert(hooks[i].mechanism);
    if (members.size() < 2 || mechanisms.size() != members.size()) continue;
    std::ranges::stable_sort(members, {}, [&](std::size_t i) { return hooks[i].rank; });
    AlternativeGroup group{key, members, -1};
    std::vector<std::size_t> candidates;
    for (auto i : members)
      if (plan.load[i]) candidates.push_back(i);
    if (!candidates.empty()) {
      // The best the kernel supports; else the best that at least loads (its attach then
      // fails with a warning); else the best.
      auto chosen =
          std::ranges::find_if(candidates, [&](auto i) { return support(hooks[i]).empty(); });
      if (chosen == candidates.end())
        chosen = std::ranges::find_if(candidates,
                                      [&](auto i) { return !fails_at_load(hooks[i].mechanism); });
      if (chosen == candidates.end()) chosen = candidates.begin();
      group.chosen = static_cast<int>(*chosen);
      // Explicit --programs keeps every variant the user named.
      if (!only)
        for (auto i : candidates) plan.load[i] = i == *chosen;
    }
    plan.groups.push_back(std::move(group));
  }

  // A program that would make the whole load fail for want of its mechanism is left out,
  // as long as something else loads.
  for (std::size_t i = 0; i < programs.size(); ++i) {
    if (!plan.load[i] || !fails_at_load(hooks[i].mechanism)) continue;
    std::string reason = support(hooks[i]);
    if (reason.empty()) continue;
    bool others = false;
    for (std::size_t j = 0; j < programs.size(); ++j) others = others || (j != i && plan.load[j]);
    if (!others) continue;
    plan.load[i] = false;
    plan.warnings.push_back("program " + describe(programs[i]) + " left out: " + reason);
  }
  return plan;
}

Result<void> load_programs(BpfObjectHandle& object, const std::vector<package::ProgInfo>& progs,
                           const ProgramChoice& choice,
                           const std::function<Result<void>(bpf_object*)>& prepare) {
  SupportCheck support = kernel_support();
  std::set<std::string> refused;
  std::map<std::string, std::string> refusals;  // program -> why, for the note
  for (;;) {
    bpf_object* obj = object.get();
    auto programs = planned_programs(obj, progs);
    const bool prog_array = has_prog_array(obj);
    Plan plan = LMP_TRY(plan_programs(programs, choice, refused, prog_array, support));
    for (std::size_t i = 0; i < programs.size(); ++i)
      bpf_program__set_autoload(bpf_object__find_program_by_name(obj, programs[i].name.c_str()),
                                plan.load[i]);
    LMP_CHECK(prepare(obj));

    // The refused program, when another variant of its group can take its place.
    std::string failed;
    Error why;
    auto fallback_exists = [&](const std::string& name) {
      auto index = std::ranges::find(programs, name, &PlannedProgram::name) - programs.begin();
      if (static_cast<std::size_t>(index) == programs.size() || !group_of(plan, index))
        return false;
      auto again = refused;
      again.insert(name);
      auto next = plan_programs(programs, choice, again, prog_array, support);
      const AlternativeGroup* group = next ? group_of(*next, index) : nullptr;
      return group && group->chosen >= 0 &&
             support(hook_of(programs[group->chosen].section)).empty();
    };
    if (auto loaded = object.load(); !loaded) {
      auto program = last_failed_program();
      if (!program || !fallback_exists(*program)) return loaded;
      failed = *program;
      why = loaded.error();
    } else {
      // Trial attach (detached at once) of each chosen variant that has a fallback.
      for (const auto& group : plan.groups) {
        if (group.chosen < 0 || !plan.load[group.chosen]) continue;
        const auto& p = programs[group.chosen];
        if (!fallback_exists(p.name)) continue;
        auto attached =
            attach_program(bpf_object__find_program_by_name(obj, p.name.c_str()), p.extra);
        if (attached) continue;
        if (attached.error().code != ExitCode::kKernel) return std::unexpected(attached.error());
        failed = p.name;
        why = attached.error();
        break;
      }
    }
    if (!failed.empty()) {
      refused.insert(failed);
      refusals[failed] = first_line(why.message);
      log::debug("program " + failed + " refused; opening the object again without it");
      LMP_CHECK(object.reopen());
      continue;
    }

    for (const auto& warning : plan.warnings) log::warn(warning);
    for (const auto& group : plan.groups) {
      std::string on, off;
      for (auto i : group.members) {
        std::string& list = plan.load[i] ? on : off;
        list += (list.empty() ? "" : ", ") + describe(programs[i]);
      }
      log::debug("alternatives for " + group.key + ": running " + (on.empty() ? "none" : on) +
                 (off.empty() ? "" : "; not loaded: " + off));
      if (group.chosen >= 0)
        for (auto i : group.members)
          if (refusals.contains(programs[i].name))
            log::info("using " + describe(programs[group.chosen]) + " instead of " +
                      describe(programs[i]) + ": " + refusals[programs[i].name]);
    }
    for (std::size_t i = 0; i < programs.size(); ++i)
      if (!plan.load[i] && !group_of(plan, i))
        log::debug("program " + describe(programs[i]) + " not loaded");
    return {};
  }
}

std::string missing_mechanism(bpf_program* program) {
  std::string section = bpf_program__section_name(program);
  for (const char* kprobe : {"kprobe", "kretprobe", "ksyscall", "kretsyscall"})
    if (section.starts_with(kprobe))
      return running_kernel().has_kprobes() ? std::string() : kNoKprobes;
  if (section.starts_with("lsm")) {
    std::ifstream in("/sys/kernel/security/lsm");  // e.g. "lockdown,capability,bpf"
    std::string list;
    if (std::getline(in, list) && ("," + list + ",").find(",bpf,") == std::string::npos)
      return "BPF LSM is not enabled in this kernel";
    return {};
  }
  Hook hook = hook_of(section);
  if (is_entry_or_return(hook.mechanism) || hook.mechanism == Mechanism::kTracepoint ||
      hook.mechanism == Mechanism::kTpBtf)
    return running_kernel().lacks(hook);
  return {};
}

}  // namespace lmp::loader
