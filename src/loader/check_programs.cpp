#include "loader/check_programs.h"

#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include <cctype>
#include <fstream>
#include <functional>

#include "loader/attach_targets.h"
#include "loader/check_kernel.h"
#include "loader/elf_targets.h"
#include "loader/program_select.h"
#include "loader/tracefs.h"

namespace lmp::loader {
namespace {

using package::CheckItem;
using package::CheckStatus;

std::string upper(std::string text) {
  for (char& c : text) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return text;
}

CheckItem item(std::string id, CheckStatus status, std::string title, std::string reason,
               std::string hint = {}, std::string needs = {}) {
  return {std::move(id),     status,          std::move(title),
          std::move(reason), std::move(hint), std::move(needs)};
}

bool starts_with_any_check_programs(std::string_view text,
                                    std::initializer_list<std::string_view> prefixes) {
  for (auto p : prefixes)
    if (text.starts_with(p)) return true;
  return false;
}

std::string after_slash_check_programs(std::string_view section) {
  auto slash = section.find('/');
  return slash == std::string_view::npos ? std::string() : std::string(section.substr(slash + 1));
}

// Whether the kernel knows type `value` of enum `enum_name`: probed, else from its BTF.
// Returns the status and how it was found.
std::pair<CheckStatus, std::string> type_known(int probed, const char* enum_name, int value,
                                               const ProbeMode& mode) {
  if (mode.probe && probed == 1) return {CheckStatus::kOk, "the kernel accepted a probe"};
  if (mode.probe && probed == 0) return {CheckStatus::kFail, "the kernel refused a probe"};
  auto known = kernel_btf_enum_has_value(enum_name, value);
  if (!known) return {CheckStatus::kSkip, "the kernel's BTF does not list its types"};
  if (*known) return {CheckStatus::kOk, "the kernel's BTF lists it"};
  return {CheckStatus::kFail, "this kernel was built without it (not in its BTF)"};
}

// A uprobe's or USDT probe's target named in its section: the binary exists and defines the
// function (uprobe/uretprobe BINARY:FUNCTION[+OFFSET]) or carries the probe (usdt
// BINARY:PROVIDER:NAME). A bare offset or an unreadable symbol table passes on the binary.
CheckItem user_probe_point(const std::string& id, const std::string& title,
                           const std::string& program, const std::string& section,
                           const std::string& target) {
  const std::string hint =
      "install it, or attach elsewhere with lmp run --attach " + program +
      "=BINARY:" + (section.starts_with("usdt") ? "PROVIDER:NAME" : "FUNCTION");
  std::string binary_name, what;
  std::function<Result<bool>(const std::string&)> has;
  if (section.starts_with("usdt")) {
    auto parsed = parse_usdt_target(target);
    if (!parsed) return item(id, CheckStatus::kOk, title, "uprobes are enabled");
    binary_name = parsed->binary;
    what = "USDT probe " + parsed->provider + ":" + parsed->name;
    has = [p = *parsed](const std::string& file) { return elf_has_usdt(file, p.provider, p.name); };
  } else {
    auto parsed = parse_uprobe_target(target);
    if (!parsed) return item(id, CheckStatus::kOk, title, "uprobes are enabled");
    binary_name = parsed->binary;
    if (!parsed->function.empty()) {
      what = "function " + parsed->function;
      has = [f = parsed->function](const std::string& file) {
        return elf_defines_function(file, f);
      };
    }
  }
  auto binary = resolve_binary(binary_name);
  if (!binary)
    return item(id, CheckStatus::kFail, title, binary.error().message, hint, binary_name);
  if (!has)
    return item(id, CheckStatus::kOk, title, "uprobes are enabled and " + *binary + " exists");
  auto found = has(*binary);
  if (!found)
    return item(
        id, CheckStatus::kSkip, title,
        *binary + " exists; whether it has " + what + " cannot be read: " + found.error().message);
  if (!*found)
    return item(id, CheckStatus::kFail, title, *binary + " has no " + what, hint,
                binary_name + ":" + what);
  return item(id, CheckStatus::kOk, title, *binary + " has " + what);
}

CheckItem kprobe_point(const std::string& id, const std::string& section) {
  bool syscall = starts_with_any_check_programs(section, {"ksyscall", "kretsyscall"});
  std::string function = after_slash_check_programs(section);
  function = function.substr(0, function.find_first_of("+"));
  std::string title =
      std::string(syscall ? "syscall " : "kernel function ") + function + " can take a kprobe";
  if (!kprobes_enabled())
    return item(
        id, CheckStatus::kFail, title, "this kernel does not support kprobes (CONFIG_KPROBES off?)",
        "use a tracepoint or fentry version of the tool, or a kernel with kprobes", "kprobes");
  if (function.empty())
    return item(id, CheckStatus::kSkip, title, "the section names no function",
                "the target is given at run time");
  std::vector<std::string> names = {function};
  if (syscall)
    for (const char* prefix :
         {"__x64_sys_", "__arm64_sys_", "__s390x_sys_", "__riscv_sys_", "sys_"})
      names.push_back(prefix + function);
  std::optional<bool> found;
  for (const auto& name : names) {
    auto exists = kernel_function_exists(name);
    if (!exists) continue;
    found = found.value_or(false) || *exists;
  }
  if (!found)
    return item(id, CheckStatus::kSkip, title,
                "neither available_filter_functions nor /proc/kallsyms can be read",
                "run lmp check as root");
  if (!*found)
    return item(id, CheckStatus::kFail, title,
                "kernel function " + function + " does not exist here (renamed or inlined?)",
                "the tool needs another kernel version or an update", "function " + function);
  return item(id, CheckStatus::kOk, title, "kprobes are enabled and the function exists");
}

CheckItem trampoline_point(const std::string& id, bpf_program* program, const std::string& section,
                           const ProbeMode& mode) {
  Hook hook = hook_of(section);
  std::string function = hook.target.empty() ? after_slash_check_programs(section) : hook.target;
  std::string title = "kernel function " + function + " can take " +
                      section.substr(0, section.find('/')) + " (BPF trampoline)";
  const btf* kernel = kernel_btf();
  if (kernel && btf__find_by_name_kind(kernel, function.c_str(), BTF_KIND_FUNC) < 0)
    return item(id, CheckStatus::kFail, title,
                "kernel function " + function + " is not in the kernel's BTF",
                "the tool needs another kernel version", "function " + function);
  if (!mode.probe || hook.key.empty())
    return item(id, CheckStatus::kSkip, title,
                "whether BPF trampolines work is known only by loading a probe program",
                mode.privileged ? "run without --no-load" : "run lmp check as root");
  std::string lacks = missing_mechanism(program);
  if (!lacks.empty())
    return item(id, CheckStatus::kFail, title, lacks,
                "use a kprobe version of the tool (lmp run picks one when the package has it)",
                "BPF trampolines (fentry)");
  return item(id, CheckStatus::kOk, title, "a probe program attached to it");
}

}  // namespace

std::string map_type_name(int type) {
  const char* name = libbpf_bpf_map_type_str(static_cast<bpf_map_type>(type));
  return name ? "BPF_MAP_TYPE_" + upper(name) : std::string();
}

std::string prog_type_name(int type) {
  const char* name = libbpf_bpf_prog_type_str(static_cast<bpf_prog_type>(type));
  return name ? "BPF_PROG_TYPE_" + upper(name) : std::string();
}

CheckItem check_program_type(bpf_program* program, const ProbeMode& mode) {
  std::string name = bpf_program__name(program);
  int type = bpf_program__type(program);
  std::string type_name = prog_type_name(type);
  if (type_name.empty()) type_name = "program type " + std::to_string(type);
  std::string id = "program/" + name;
  std::string title = "program " + name + ": " + type_name + " is supported";
  // libbpf's probe of tracing, LSM, extension and struct_ops programs loads one attached to
  // BTF id 1 and reads the refusal; a kernel without trampolines refuses it otherwise even
  // though tp_btf programs of that type load. Their support is the attach check's question.
  bool btf_attached = type == BPF_PROG_TYPE_TRACING || type == BPF_PROG_TYPE_LSM ||
                      type == BPF_PROG_TYPE_EXT || type == BPF_PROG_TYPE_STRUCT_OPS;
  int probed = mode.probe && !btf_attached
                   ? libbpf_probe_bpf_prog_type(static_cast<bpf_prog_type>(type), nullptr)
                   : -1;
  auto [status, how] = type_known(probed, "bpf_prog_type", type, mode);
  std::string hint = status == CheckStatus::kFail   ? "the tool needs a newer kernel"
                     : status == CheckStatus::kSkip ? "run lmp check as root"
                                                    : "";
  return item(id, status, title, how, hint, status == CheckStatus::kFail ? type_name : "");
}

CheckItem check_attach_point(bpf_program* program, const ProbeMode& mode) {
  std::string name = bpf_program__name(program);
  std::string section = bpf_program__section_name(program);
  if (section.starts_with('?')) section.erase(0, 1);
  std::string id = "attach/" + name;
  if (starts_with_any_check_programs(section, {"kprobe", "kretprobe", "ksyscall", "kretsyscall"}))
    return kprobe_point(id, section);
  if (starts_with_any_check_programs(section, {"fentry", "fexit", "fmod_ret"}))
    return trampoline_point(id, program, section, mode);
  Hook hook = hook_of(section);
  if (hook.mechanism == Mechanism::kTracepoint) {
    std::string tp = hook.category + "/" + hook.target;
    std::string title = "tracepoint " + tp + " exists";
    if (tracefs_dir().empty() && mode.privileged) (void)ensure_tracefs();  // as lmp run does
    auto exists = tracepoint_exists(hook.category, hook.target);
    if (!exists)
      return item(
          id, CheckStatus::kSkip, title, "tracefs is not mounted or not readable by this user",
          mode.privileged ? "mount -t tracefs nodev /sys/kernel/tracing" : "run lmp check as root");
    if (!*exists)
      return item(id, CheckStatus::kFail, title, "tracepoint " + tp + " does not exist here",
                  "the tool needs another kernel version or configuration", "tracepoint " + tp);
    return item(id, CheckStatus::kOk, title, "found in tracefs events/");
  }
  if (hook.mechanism == Mechanism::kTpBtf || hook.mechanism == Mechanism::kRawTp) {
    std::string title = "raw tracepoint " + hook.target + " exists";
    const btf* kernel = kernel_btf();
    std::string type = "btf_trace_" + hook.target;
    if (!kernel) return item(id, CheckStatus::kSkip, title, "the kernel's BTF cannot be read");
    if (btf__find_by_name_kind(kernel, type.c_str(), BTF_KIND_TYPEDEF) < 0)
      return item(id, CheckStatus::kFail, title,
                  "raw tracepoint " + hook.target + " is not in the kernel's BTF",
                  "the tool needs another kernel version", "tracepoint " + hook.target);
    return item(id, CheckStatus::kOk, title, "found in the kernel's BTF");
  }
  if (is_user_probe_section(section)) {
    std::string target = after_slash_check_programs(section);
    std::string title = "user probe " + (target.empty() ? std::string("target") : target);
    if (!uprobes_enabled())
      return item(id, CheckStatus::kFail, title, "this kernel does not support uprobes",
                  "a kernel with CONFIG_UPROBE_EVENTS", "uprobes");
    if (target.empty())
      return item(id, CheckStatus::kSkip, title, "the section names no target",
                  "give it at run time: lmp run --attach " + name + "=BINARY:FUNCTION");
    return user_probe_point(id, title, name, section, target);
  }
  if (section.starts_with("lsm")) {
    std::string lacks = missing_mechanism(program);
    std::string title = "BPF LSM hook " + after_slash_check_programs(section);
    if (!lacks.empty())
      return item(id, CheckStatus::kFail, title, lacks, "boot with lsm=...,bpf", "BPF LSM");
    return item(id, CheckStatus::kOk, title, "BPF LSM is enabled");
  }
  return item(id, CheckStatus::kOk, "program " + name + " (" + section + ")",
              "attached at run time to what lmp run is given (interface, cgroup, perf event)");
}

CheckItem check_map_type(const bpf_map* map, const ProbeMode& mode) {
  std::string name = bpf_map__name(map);
  int type = bpf_map__type(map);
  std::string type_name = map_type_name(type);
  bool known_to_libbpf = !type_name.empty();
  if (!known_to_libbpf) type_name = "map type " + std::to_string(type);
  std::string title = "map " + name + ": " + type_name + " is supported";
  std::string needs = type == BPF_MAP_TYPE_RINGBUF ? "ring buffer" : type_name;
  int probed = mode.probe && known_to_libbpf
                   ? libbpf_probe_bpf_map_type(static_cast<bpf_map_type>(type), nullptr)
                   : -1;
  auto [status, how] = type_known(probed, "bpf_map_type", type, mode);
  if (!known_to_libbpf && status != CheckStatus::kOk) {
    status = CheckStatus::kFail;
    how = "neither libbpf nor this kernel knows this map type";
  }
  std::string hint;
  if (status == CheckStatus::kFail)
    hint = type == BPF_MAP_TYPE_RINGBUF ? "ring buffers need Linux 5.8; use a perf buffer version"
                                        : "the tool needs a newer kernel";
  if (status == CheckStatus::kSkip) hint = "run lmp check as root";
  return item("map/" + name, status, title, how, hint, status == CheckStatus::kFail ? needs : "");
}

}  // namespace lmp::loader
