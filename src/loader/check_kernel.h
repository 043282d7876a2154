// Facts about the running kernel and this process that `lmp check` (check.h) asks: release
// and architecture, capabilities, whether kernel functions and tracepoints exist, which
// program and map types the kernel knows. Each read once per process. Reading needs no
// privileges unless said; what cannot be known without them is reported as unknown
// (std::nullopt), never guessed.
#pragma once

#include <optional>
#include <string>

struct btf;

namespace lmp::loader {

struct KernelRelease {
  std::string release;  // uname -r
  std::string arch;     // uname -m
  int major = 0;
  int minor = 0;
};
KernelRelease kernel_release();

// Parses "6.1.0-18-amd64" into 6, 1 (0, 0 when it does not start with numbers).
void parse_kernel_version(const std::string& release, int& major, int& minor);

struct Privileges {
  bool root = false;  // effective uid 0
  bool cap_sys_admin = false;
  bool cap_bpf = false;
  bool cap_perfmon = false;
  int unprivileged_bpf_disabled = -1;  // /proc/sys/kernel/unprivileged_bpf_disabled; -1 unknown
  // What lmp run needs: CAP_SYS_ADMIN, or CAP_BPF and CAP_PERFMON.
  bool can_load() const { return cap_sys_admin || (cap_bpf && cap_perfmon); }
};
Privileges privileges();

// The kernel's BTF (/sys/kernel/btf/vmlinux, or `path` when not empty), owned here; null
// when it cannot be read.
const btf* kernel_btf(const std::string& path = {});

// Whether kernel function `name` can take a kprobe: in tracefs available_filter_functions
// when that is readable, else in /proc/kallsyms. nullopt when neither can be read.
std::optional<bool> kernel_function_exists(const std::string& name);

// Whether kprobes / uprobes are enabled (their perf event source, or tracefs *_events).
bool kprobes_enabled();
bool uprobes_enabled();

// Whether tracepoint CAT/NAME exists in tracefs. nullopt when tracefs is not reachable
// (not mounted, or not readable by this user).
std::optional<bool> tracepoint_exists(const std::string& category, const std::string& name);

// Whether enum `enum_name` (bpf_prog_type, bpf_map_type) of the kernel's BTF has an
// enumerator of value `value`: the program and map types this kernel was built with, which
// an unprivileged user can read (probing by loading needs privileges). nullopt without
// kernel BTF or without that enum.
std::optional<bool> kernel_btf_enum_has_value(const char* enum_name, long long value);

}  // namespace lmp::loader
