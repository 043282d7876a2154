// Which programs of an object load (docs/run.md, "Programs: alternatives and selection").
//
// Tools written for libbpf's own user space often carry alternatives for one hook
// (tp_btf/X, raw_tp/X and tp/CAT/X; fentry/F and kprobe/F; fexit/F and kretprobe/F) and turn
// all but one off before load. lmp has no user space of the tool, so it chooses here: the best
// variant the kernel supports loads, the others get autoload off; a variant the kernel refuses
// at load or at a trial attach is dropped and the object is opened and loaded again.
// The user's --programs / --skip-program and the package's "autoload" / "link" come first.
#pragma once

#include <functional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "package/package.h"

struct bpf_object;
struct bpf_program;

namespace lmp::loader {

class BpfObjectHandle;

enum class Mechanism { kOther, kFentry, kFexit, kKprobe, kKretprobe, kTpBtf, kRawTp, kTracepoint };

// The hook of a section as far as alternatives go. `key` is "entry:F" (fentry/F, kprobe/F),
// "return:F" (fexit/F, kretprobe/F) or "tracepoint:NAME" (tp_btf/NAME, raw_tp/NAME,
// raw_tracepoint/NAME, tp/CAT/NAME, tracepoint/CAT/NAME); empty for every other section
// (kprobes with an offset, uprobes, tc, ...). `rank` orders variants, 0 best:
// fentry/fexit 0, kprobe/kretprobe 1; tp_btf 0, raw_tp 1, tracepoint 2.
struct Hook {
  std::string key;
  std::string target;    // F or NAME
  std::string category;  // CAT of tp/CAT/NAME
  Mechanism mechanism = Mechanism::kOther;
  int rank = 0;
};
Hook hook_of(std::string_view section);

// Whether a program of this mechanism fails at load (not only at attach) when the kernel
// lacks it: fentry/fexit (trampolines) and tp_btf (BTF of the tracepoint).
bool fails_at_load(Mechanism mechanism);

// What the kernel supports: empty when `hook` can run here, else the reason, e.g.
// "this kernel does not support kprobes (CONFIG_KPROBES off?)".
using SupportCheck = std::function<std::string(const Hook& hook)>;

// The running kernel, asked once per question: kprobes from /sys/bus/event_source/devices/
// kprobe or tracefs kprobe_events; fentry/fexit by loading and attaching a two-instruction
// tracing program to F (vmlinux BTF must have F, and the trampoline must attach: the kernel
// config alone is not enough); tp_btf by btf_trace_NAME in vmlinux BTF; tracepoints by
// tracefs events/CAT/NAME when tracefs is mounted. raw_tp is assumed supported (its
// tracepoint may be a module's): the trial attach of load_programs decides.
SupportCheck kernel_support();

// The user's selection (lmp run --programs / --skip-program).
struct ProgramChoice {
  std::vector<std::string> only;  // empty = no restriction
  std::vector<std::string> skip;
};

// One program of the object as the planner sees it.
struct PlannedProgram {
  std::string name;
  std::string section;
  nlohmann::json extra = nlohmann::json::object();  // ProgInfo::extra
  bool link = true;                                 // ProgInfo::link
  bool autoload = true;  // libbpf's default after open (false for SEC("?..."))
};

// The programs of an opened `object` with the package's extras and link flags.
std::vector<PlannedProgram> planned_programs(bpf_object* object,
                                             const std::vector<package::ProgInfo>& progs);

// Whether `object` has a BPF_MAP_TYPE_PROG_ARRAY map.
bool has_prog_array(bpf_object* object);

// A set of alternatives and the one that runs (`chosen` < 0: none).
struct AlternativeGroup {
  std::string key;
  std::vector<std::size_t> members;  // indices into the programs, best first
  int chosen = -1;
};

struct Plan {
  std::vector<bool> load;  // per program: autoload
  std::vector<AlternativeGroup> groups;
  std::vector<std::string> warnings;  // programs left out because the kernel lacks their hook
};

// Decides autoload for `programs` (pure: the kernel is asked through `support`).
// `refused` names programs the kernel already refused (at load or trial attach).
// `has_prog_array`: the object has a BPF_MAP_TYPE_PROG_ARRAY map, so link:false programs may
// be tail-call targets and still load. Errors (kUsage) for names in `choice` the object lacks.
Result<Plan> plan_programs(const std::vector<PlannedProgram>& programs, const ProgramChoice& choice,
                           const std::set<std::string>& refused, bool has_prog_array,
                           const SupportCheck& support);

// Opens nothing new unless needed: plans `object`'s programs, sets autoload, calls `prepare`
// (tracefs, initial values, ...) and loads. When the kernel refuses a chosen alternative at
// load or at a trial attach (attached, then detached at once) and another variant remains,
// reopens the object without it and tries again, saying so at normal level. Errors as
// BpfObjectHandle::load, or kUsage from plan_programs.
Result<void> load_programs(BpfObjectHandle& object, const std::vector<package::ProgInfo>& progs,
                           const ProgramChoice& choice,
                           const std::function<Result<void>(bpf_object*)>& prepare);

// Empty when `program`'s attach failure is not because the kernel lacks its mechanism
// (kprobes, trampolines, the tracepoint, BPF LSM); else that reason. attach_programs uses it
// to go on without such a program.
std::string missing_mechanism(bpf_program* program);

}  // namespace lmp::loader
