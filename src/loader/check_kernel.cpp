#include "loader/check_kernel.h"

#include <bpf/btf.h>
#include <linux/capability.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <unordered_set>

#include "loader/tracefs.h"

namespace lmp::loader {
namespace {

// Older headers may lack the 5.8 capabilities.
constexpr int kCapSysAdmin = 21;
constexpr int kCapPerfmon = 38;
constexpr int kCapBpf = 39;

bool exists_check_kernel(const std::string& path) {
  std::error_code ec;
  return std::filesystem::exists(path, ec);
}

struct BtfDeleter {
  void operator()(btf* b) const { btf__free(b); }
};

// Function names of one file: the first word of each line (available_filter_functions:
// "name [module]") or the third (kallsyms: "address type name [module]").
std::optional<std::unordered_set<std::string>> read_names(const std::string& path, int column) {
  std::ifstream in(path);
  if (!in) return std::nullopt;
  std::unordered_set<std::string> names;
  std::string line;
  while (std::getline(in, line)) {
    std::size_t start = 0;
    for (int skip = 0; skip < column; ++skip) {
      start = line.find(' ', start);
      if (start == std::string::npos) break;
      ++start;
    }
    if (start == std::string::npos) continue;
    std::size_t end = line.find_first_of(" \t", start);
    names.insert(line.substr(start, end == std::string::npos ? std::string::npos : end - start));
  }
  if (names.empty()) return std::nullopt;  // not readable in practice (e.g. an empty file)
  return names;
}

}  // namespace

void parse_kernel_version(const std::string& release, int& major, int& minor) {
  major = minor = 0;
  char* end = nullptr;
  long a = std::strtol(release.c_str(), &end, 10);
  if (end == release.c_str() || *end != '.') return;
  const char* second = end + 1;
  long b = std::strtol(second, &end, 10);
  if (end == second) return;
  major = static_cast<int>(a);
  minor = static_cast<int>(b);
}

KernelRelease kernel_release() {
  KernelRelease k;
  utsname names{};
  if (uname(&names) == 0) {
    k.release = names.release;
    k.arch = names.machine;
  }
  parse_kernel_version(k.release, k.major, k.minor);
  return k;
}

Privileges privileges() {
  Privileges p;
  p.root = geteuid() == 0;
  __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
  __user_cap_data_struct data[2] = {};
  if (syscall(SYS_capget, &header, data) == 0) {
    auto has = [&](int cap) { return ((data[cap / 32].effective >> (cap % 32)) & 1u) != 0; };
    p.cap_sys_admin = has(kCapSysAdmin);
    p.cap_bpf = has(kCapBpf);
    p.cap_perfmon = has(kCapPerfmon);
  } else {
    p.cap_sys_admin = p.cap_bpf = p.cap_perfmon = p.root;
  }
  std::ifstream in("/proc/sys/kernel/unprivileged_bpf_disabled");
  int value = -1;
  if (in >> value) p.unprivileged_bpf_disabled = value;
  return p;
}

const btf* kernel_btf(const std::string& path) {
  static std::map<std::string, std::unique_ptr<btf, BtfDeleter>> loaded;
  auto [it, fresh] = loaded.try_emplace(path);
  if (fresh) {
    btf* b = path.empty() ? btf__load_vmlinux_btf() : btf__parse(path.c_str(), nullptr);
    it->second.reset(b);  // libbpf 1.x: NULL on error
  }
  return it->second.get();
}

std::optional<bool> kernel_function_exists(const std::string& name) {
  static std::optional<std::unordered_set<std::string>> names = [] {
    std::string tracefs = tracefs_dir();
    std::optional<std::unordered_set<std::string>> found;
    if (!tracefs.empty()) found = read_names(tracefs + "/available_filter_functions", 0);
    if (!found) found = read_names("/proc/kallsyms", 2);
    return found;
  }();
  if (!names) return std::nullopt;
  return names->contains(name);
}

bool kprobes_enabled() {
  if (exists_check_kernel("/sys/bus/event_source/devices/kprobe")) return true;
  std::string tracefs = tracefs_dir();
  return !tracefs.empty() && exists_check_kernel(tracefs + "/kprobe_events");
}

bool uprobes_enabled() {
  if (exists_check_kernel("/sys/bus/event_source/devices/uprobe")) return true;
  std::string tracefs = tracefs_dir();
  return !tracefs.empty() && exists_check_kernel(tracefs + "/uprobe_events");
}

std::optional<bool> tracepoint_exists(const std::string& category, const std::string& name) {
  std::string tracefs = tracefs_dir();
  if (tracefs.empty()) return std::nullopt;
  if (access((tracefs + "/events").c_str(), R_OK | X_OK) != 0) return std::nullopt;
  return exists_check_kernel(tracefs + "/events/" + category + "/" + name);
}

std::optional<bool> kernel_btf_enum_has_value(const char* enum_name, long long value) {
  const btf* kernel = kernel_btf();
  if (!kernel) return std::nullopt;
  int id = btf__find_by_name_kind(kernel, enum_name, BTF_KIND_ENUM);
  if (id < 0) return std::nullopt;
  const btf_type* type = btf__type_by_id(kernel, static_cast<__u32>(id));
  const struct btf_enum* values = btf_enum(type);
  for (int i = 0; i < btf_vlen(type); ++i)
    if (values[i].val == value) return true;
  return false;
}

}  // namespace lmp::loader
