#include "loader/attach.h"

#include <bpf/libbpf.h>
#include <linux/perf_event.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <optional>
#include <vector>

#include "common/log.h"
#include "loader/attach_targets.h"
#include "loader/bpf_object_handle.h"
#include "loader/iterator.h"
#include "loader/program_select.h"
#include "loader/tracefs.h"

namespace lmp::loader {

LinkAttachment::~LinkAttachment() {
  bpf_link__destroy(link_);
}

namespace {

constexpr int kEnotsupp = 524;  // kernel-internal ENOTSUPP
constexpr long long kDefaultSampleFreq = 49;

bool starts_with_any(const std::string& text, std::initializer_list<const char*> prefixes) {
  for (const char* prefix : prefixes)
    if (text.starts_with(prefix)) return true;
  return false;
}

std::string after_slash(const std::string& section) {
  auto slash = section.find('/');
  return slash == std::string::npos ? std::string() : section.substr(slash + 1);
}

bool exists(const std::string& path) {
  std::error_code ec;
  return std::filesystem::exists(path, ec);
}

bool kprobes_supported() {
  if (exists("/sys/bus/event_source/devices/kprobe")) return true;
  std::string tracefs = tracefs_dir();
  return !tracefs.empty() && exists(tracefs + "/kprobe_events");
}

// The likely reason an auto-attach of `section` failed with `err`.
std::string explain(const std::string& section, int err) {
  bool not_supported = err == EOPNOTSUPP || err == kEnotsupp;
  bool not_found = err == ENOENT || err == EINVAL || err == ESRCH;
  if (err == EPERM || err == EACCES) return "permission denied (run as root)";
  if (starts_with_any(section, {"kprobe", "kretprobe", "ksyscall", "kretsyscall"})) {
    if (!kprobes_supported() || not_supported)
      return "this kernel does not support kprobes (CONFIG_KPROBES off?)";
    if (not_found)
      return "kernel function " + after_slash(section) +
             " not found (not in this kernel, or inlined?)";
  }
  if (starts_with_any(section, {"tp/", "tracepoint/"}) && not_found)
    return "tracepoint " + after_slash(section) + " does not exist";
  if (starts_with_any(section, {"raw_tp", "raw_tracepoint", "tp_btf"}) && not_found)
    return "raw tracepoint " + after_slash(section) + " does not exist";
  if (starts_with_any(section, {"fentry", "fexit", "fmod_ret"}) && (not_supported || not_found))
    return "this kernel does not support fentry/fexit (BPF trampolines)";
  if (section.starts_with("lsm") && (not_supported || not_found))
    return "BPF LSM is not enabled in this kernel (boot with lsm=...,bpf)";
  if (starts_with_any(section, {"uprobe", "uretprobe", "usdt"})) {
    if (not_supported && after_slash(section).empty())
      return "the section names no target (pass --attach PROGRAM=BINARY:FUNCTION)";
    if (not_found) return "binary or function not found";
  }
  if (not_supported) return "libbpf cannot attach this kind of program automatically";
  return libbpf_error_text(err);
}

Result<Attachments> attach_perf_event(bpf_program* program, const nlohmann::json& extra) {
  long long freq = LMP_TRY(extra_integer(extra, "sample_freq", kDefaultSampleFreq));
  Attachments attachments;
  int cpus = libbpf_num_possible_cpus();
  for (int cpu = 0; cpu < cpus; ++cpu) {
    perf_event_attr attr{};
    attr.size = sizeof(attr);
    attr.type = PERF_TYPE_SOFTWARE;
    attr.config = PERF_COUNT_SW_CPU_CLOCK;
    attr.freq = 1;
    attr.sample_freq = static_cast<__u64>(freq);
    int fd =
        static_cast<int>(syscall(SYS_perf_event_open, &attr, -1, cpu, -1, PERF_FLAG_FD_CLOEXEC));
    if (fd < 0) {
      if (errno == ENODEV || errno == ENOENT) continue;  // CPU offline
      return fail(errno == EACCES || errno == EPERM ? ExitCode::kPermission : ExitCode::kKernel,
                  "cannot open a perf event on CPU " + std::to_string(cpu) + ": " +
                      libbpf_error_text(errno));
    }
    bpf_link* link = bpf_program__attach_perf_event(program, fd);
    if (!link) {
      int err = errno;
      close(fd);
      return fail(ExitCode::kKernel, "cannot attach to perf event on CPU " + std::to_string(cpu) +
                                         ": " + libbpf_error_text(err));
    }
    attachments.push_back(std::make_unique<LinkAttachment>(link));  // the link owns fd
  }
  return attachments;
}

}  // namespace

Result<long long> extra_integer(const nlohmann::json& extra, const char* key, long long fallback) {
  if (!extra.is_object() || !extra.contains(key) || extra[key].is_null()) return fallback;
  const auto& value = extra[key];
  if (value.is_number_integer()) return value.get<long long>();
  if (value.is_string()) {
    const std::string text = value.get<std::string>();
    char* end = nullptr;
    errno = 0;
    long long parsed = std::strtoll(text.c_str(), &end, 0);
    if (!text.empty() && errno == 0 && *end == '\0') return parsed;
  }
  return fail(ExitCode::kBadPackage,
              std::string("program extra '") + key + "': expected an integer, got " + value.dump());
}

void prepare_programs(bpf_object* object) {
  bpf_program* program = nullptr;
  bpf_object__for_each_program(program, object) {
    std::string section = bpf_program__section_name(program);
    if (bpf_program__type(program) == BPF_PROG_TYPE_UNSPEC &&
        starts_with_any(section, {"tcx", "tc/", "classifier/"}))
      bpf_program__set_type(program, BPF_PROG_TYPE_SCHED_CLS);
  }
}

bool needs_tracefs(bpf_object* object, const std::vector<package::ProgInfo>& progs) {
  bpf_program* program = nullptr;
  bpf_object__for_each_program(program, object) {
    bool linked = bpf_program__autoload(program);
    for (const auto& p : progs)
      if (p.name == bpf_program__name(program)) linked = linked && p.link;
    if (linked && starts_with_any(bpf_program__section_name(program), {"tp/", "tracepoint/"}))
      return true;
  }
  return false;
}

Result<std::map<std::string, std::string>> parse_attach_targets(
    const std::vector<std::string>& texts) {
  std::map<std::string, std::string> targets;
  for (const auto& text : texts) {
    auto equals = text.find('=');
    if (equals == std::string::npos || equals == 0 || equals + 1 == text.size())
      return fail(ExitCode::kUsage, "--attach '" + text + "': expected PROGRAM=TARGET",
                  "e.g. --attach handle_malloc=/usr/lib/x86_64-linux-gnu/libc.so.6:malloc");
    targets[text.substr(0, equals)] = text.substr(equals + 1);
  }
  return targets;
}

Result<Attachments> attach_program(bpf_program* program, const nlohmann::json& extra,
                                   const AttachContext& context) {
  std::string name = bpf_program__name(program);
  std::string section = bpf_program__section_name(program);
  auto where = "cannot attach program " + name + " to " + section;
  auto one = [&where](Result<std::unique_ptr<Attachment>> attached) -> Result<Attachments> {
    if (!attached) return std::unexpected(std::move(attached.error()).context(where));
    Attachments result;
    result.push_back(std::move(*attached));
    return result;
  };
  // Targets a tool's user space would give: from the command line (attach_targets.h), or
  // lmp's own (iterators are read after attaching, iterator.h).
  if (bpf_program__type(program) == BPF_PROG_TYPE_KPROBE && is_user_probe_section(section)) {
    auto attached = attach_user_probe(program, context);
    if (!attached) return std::unexpected(std::move(attached.error()).context(where));
    return attached;
  }
  if (is_cgroup_program(program)) return one(attach_cgroup(program, context.cgroup));
  if (is_iterator(program)) return one(attach_iterator(program));
  if (bpf_program__type(program) == BPF_PROG_TYPE_SOCKET_FILTER)
    return one(attach_socket_filter(program, context.interface));
  Attachments attachments;
  switch (bpf_program__type(program)) {
    case BPF_PROG_TYPE_SCHED_CLS: {
      auto attached = attach_tc(program, extra);
      if (!attached) return std::unexpected(std::move(attached.error()).context(where));
      attachments.push_back(std::move(*attached));
      break;
    }
    case BPF_PROG_TYPE_XDP: {
      auto attached = attach_xdp(program, extra);
      if (!attached) return std::unexpected(std::move(attached.error()).context(where));
      attachments.push_back(std::move(*attached));
      break;
    }
    case BPF_PROG_TYPE_PERF_EVENT: {
      auto attached = attach_perf_event(program, extra);
      if (!attached) return std::unexpected(std::move(attached.error()).context(where));
      attachments = std::move(*attached);
      break;
    }
    default: {
      bpf_link* link = bpf_program__attach(program);
      if (!link) {
        int err = errno;
        return fail(err == EPERM || err == EACCES ? ExitCode::kPermission : ExitCode::kKernel,
                    where + ": " + explain(section, err), "run with -v to see libbpf's messages");
      }
      attachments.push_back(std::make_unique<LinkAttachment>(link));
    }
  }
  return attachments;
}

Result<Attachments> attach_programs(bpf_object* object, const std::vector<package::ProgInfo>& progs,
                                    const AttachContext& context) {
  std::map<std::string, const package::ProgInfo*> by_name;
  for (const auto& p : progs) by_name[p.name] = &p;
  static const nlohmann::json kNoExtra = nlohmann::json::object();

  // A program whose mechanism this kernel lacks is left out with a warning while others
  // carry the tool; when none attaches, the first such error is the run's.
  Attachments attachments;
  std::vector<Error> left_out;  // warned about only when some other program attached
  bpf_program* program = nullptr;
  bpf_object__for_each_program(program, object) {
    if (!bpf_program__autoload(program)) continue;  // not loaded (program_select.h)
    auto info = by_name.find(bpf_program__name(program));
    if (info != by_name.end() && !info->second->link) continue;
    const nlohmann::json& extra = info != by_name.end() ? info->second->extra : kNoExtra;
    auto attached = attach_program(program, extra, context);
    if (!attached) {
      if (attached.error().code != ExitCode::kKernel || missing_mechanism(program).empty())
        return std::unexpected(attached.error());
      left_out.push_back(attached.error());
      continue;
    }
    for (auto& a : *attached) attachments.push_back(std::move(a));
  }
  if (attachments.empty() && !left_out.empty()) {
    Error error = left_out.front();
    if (left_out.size() > 1)
      error.message = "no program could be attached (" + std::to_string(left_out.size()) +
                      " programs; the first: " + error.message + ")";
    if (log::level() == log::Level::kDebug) error.hint.clear();  // -v is on already
    return std::unexpected(std::move(error));
  }
  for (const auto& error : left_out) log::warn(error.message + "; going on without it");
  return attachments;
}

}  // namespace lmp::loader
