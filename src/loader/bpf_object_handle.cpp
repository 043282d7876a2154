#include "loader/bpf_object_handle.h"

#include <bpf/libbpf.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string_view>

#include "loader/libbpf_log.h"
#include "loader/map_sizes.h"
#include "loader/object_check.h"
#include "loader/open_probe.h"

namespace lmp::loader {
namespace {

constexpr const char* kKernelBtf = "/sys/kernel/btf/vmlinux";
constexpr int kEnotsuppBpfObjectHandle =
    524;  // kernel-internal ENOTSUPP, seen by user space as 524
constexpr std::size_t kLogTailLines = 12;

std::string tail(const std::vector<std::string>& lines, std::size_t count) {
  std::string out;
  std::size_t first = lines.size() > count ? lines.size() - count : 0;
  for (std::size_t i = first; i < lines.size(); ++i) {
    if (lines[i].empty()) continue;
    out += "\n    " + lines[i];
  }
  return out;
}

// The last libbpf line that looks like a reason, for errors without a better explanation.
std::string last_reason() {
  auto lines = recent_libbpf_lines();
  for (auto it = lines.rbegin(); it != lines.rend(); ++it) {
    if (it->starts_with("failed to load object")) continue;
    if (it->find("failed") != std::string::npos || it->find("error") != std::string::npos ||
        it->find("Error") != std::string::npos)
      return *it;
  }
  return {};
}

bool program_is_trampoline(bpf_object* object, const std::string& name) {
  bpf_program* program = bpf_object__find_program_by_name(object, name.c_str());
  if (!program) return false;
  std::string section = bpf_program__section_name(program);
  for (const char* prefix : {"fentry", "fexit", "fmod_ret", "lsm", "freplace"})
    if (section.starts_with(prefix)) return true;
  return false;
}

// Says what is wrong with a --btf / BTF_FILE_PATH file: missing (kNotFound), or not a file
// holding BTF (kUsage): a device or directory, empty, neither raw BTF nor ELF.
Result<void> check_btf_file(const std::string& path) {
  constexpr const char* kHint = "pass a vmlinux BTF file, e.g. from btfhub, with --btf FILE";
  std::error_code ec;
  auto status = std::filesystem::status(path, ec);
  if (!std::filesystem::exists(status))
    return fail(ExitCode::kNotFound, "BTF file " + path + " does not exist", kHint);
  if (!std::filesystem::is_regular_file(status)) {
    const char* kind = std::filesystem::is_directory(status)        ? "a directory"
                       : std::filesystem::is_character_file(status) ? "a character device"
                       : std::filesystem::is_block_file(status)     ? "a block device"
                       : std::filesystem::is_fifo(status)           ? "a FIFO"
                                                                    : "not a regular file";
    return fail(ExitCode::kUsage, "BTF file " + path + " is " + kind + ", not a BTF file", kHint);
  }
  std::ifstream in(path, std::ios::binary);
  char magic[4] = {};
  if (!in.read(magic, sizeof(magic))) {
    if (!in.is_open())
      return fail(ExitCode::kUsage, "cannot read BTF file " + path + ": " + std::strerror(errno),
                  kHint);
    return fail(ExitCode::kUsage, "BTF file " + path + " is empty or too short", kHint);
  }
  // Raw BTF starts with 0xeB9F (little-endian here); an ELF file may carry a .BTF section.
  bool raw_btf = static_cast<uint8_t>(magic[0]) == 0x9f && static_cast<uint8_t>(magic[1]) == 0xeb;
  bool elf = std::string_view(magic, 4) ==
             "\x7f"
             "ELF";
  if (!raw_btf && !elf)
    return fail(ExitCode::kUsage,
                "BTF file " + path + " is not BTF (neither raw BTF nor an ELF file with .BTF)",
                kHint);
  return {};
}

}  // namespace

std::string libbpf_error_text(int err) {
  char buffer[256] = {};
  libbpf_strerror(err, buffer, sizeof(buffer));
  return buffer;
}

Result<std::string> resolve_btf_path(const std::string& flag) {
  std::string path = flag;
  if (path.empty()) {
    if (const char* env = std::getenv("BTF_FILE_PATH"); env && *env) path = env;
  }
  std::error_code ec;
  if (!path.empty()) {
    LMP_CHECK(check_btf_file(path));
    return path;
  }
  if (!std::filesystem::exists(kKernelBtf, ec))
    return fail(ExitCode::kKernel, "this kernel has no BTF (/sys/kernel/btf/vmlinux missing)",
                "pass one with --btf FILE or BTF_FILE_PATH");
  return std::string();
}

void BpfObjectHandle::Closer::operator()(bpf_object* object) const {
  bpf_object__close(object);
}

Result<void> vet_object(std::span<const uint8_t> elf, const std::string& name,
                        const std::string& btf_path) {
  // libbpf 1.1.2 crashes on crafted objects: check what it trusts, then let a child open
  // it first so that a crash nobody foresaw is a malformed object, not a dead lmp.
  LMP_CHECK(check_object(elf));
  ProbeResult probe = probe_open(elf, name, btf_path);
  if (probe.outcome == ProbeOutcome::kCrashed)
    return fail(ExitCode::kBadPackage,
                "malformed eBPF object: libbpf crashed parsing it (signal " +
                    std::to_string(probe.signal) + " in a test process; lmp did not load it)",
                "the package is damaged or was crafted; rebuild it with lmp build");
  if (probe.outcome == ProbeOutcome::kTimedOut)
    return fail(ExitCode::kBadPackage,
                "malformed eBPF object: libbpf did not finish parsing it in 10 s",
                "the package is damaged or was crafted; rebuild it with lmp build");
  return {};
}

Result<BpfObjectHandle> BpfObjectHandle::open(std::span<const uint8_t> elf, const std::string& name,
                                              const std::string& btf_path) {
  LMP_CHECK(vet_object(elf, name, btf_path));
  BpfObjectHandle handle;
  handle.elf_.assign(elf.begin(), elf.end());
  handle.name_ = name;
  handle.btf_path_ = btf_path;
  LIBBPF_OPTS(bpf_object_open_opts, opts);
  opts.object_name = handle.name_.empty() ? nullptr : handle.name_.c_str();
  opts.btf_custom_path = handle.btf_path_.empty() ? nullptr : handle.btf_path_.c_str();
  bpf_object* object = bpf_object__open_mem(handle.elf_.data(), handle.elf_.size(), &opts);
  if (!object) {
    int err = errno;
    std::string reason = last_reason();
    return fail(ExitCode::kBadPackage,
                "cannot open the eBPF object: " + libbpf_error_text(err) +
                    (reason.empty() ? "" : " (" + reason + ")"),
                "rebuild the package with lmp build");
  }
  handle.object_.reset(object);
  return handle;
}

Result<void> BpfObjectHandle::reopen() {
  object_.reset();
  LIBBPF_OPTS(bpf_object_open_opts, opts);
  opts.object_name = name_.empty() ? nullptr : name_.c_str();
  opts.btf_custom_path = btf_path_.empty() ? nullptr : btf_path_.c_str();
  bpf_object* object = bpf_object__open_mem(elf_.data(), elf_.size(), &opts);
  if (!object)
    return fail(ExitCode::kBadPackage,
                "cannot open the eBPF object again: " + libbpf_error_text(errno));
  object_.reset(object);
  return {};
}

Result<void> BpfObjectHandle::load() {
  clear_libbpf_log();
  int err = bpf_object__load(object_.get());
  if (err == 0) return {};
  err = err < 0 ? -err : err;
  auto load_log = last_program_load_log();
  auto program = last_failed_program();
  // Kernels without BPF trampolines refuse fentry/fexit/lsm programs with EPERM or ENOTSUPP.
  if (program && (err == kEnotsuppBpfObjectHandle || err == EOPNOTSUPP || err == EPERM) &&
      program_is_trampoline(object_.get(), *program))
    return fail(ExitCode::kKernel,
                "cannot load program " + *program +
                    ": this kernel does not support fentry/fexit/lsm (BPF trampolines)",
                "use a kprobe or tracepoint version of the program");
  if (load_log && !load_log->lines.empty())
    return fail(ExitCode::kKernel,
                "program " + load_log->program +
                    " rejected by the verifier:" + tail(load_log->lines, kLogTailLines),
                "run with -v to see libbpf's full output");
  // A map the kernel did not create: name it with its settings and what to pass.
  if (!program)
    if (auto map_error = map_creation_error(object_.get(), err))
      return std::unexpected(std::move(*map_error));
  if (err == EPERM)
    return fail(ExitCode::kPermission,
                (program ? "the kernel refused to load program " + *program
                         : std::string("the kernel refused to load the eBPF object")) +
                    ": " + libbpf_error_text(err),
                "run as root; in a container grant CAP_BPF, CAP_PERFMON and CAP_SYS_RESOURCE, "
                "or raise the memlock limit (ulimit -l)");
  std::string what = program ? "cannot load program " + *program : "cannot load the eBPF object";
  std::string reason = last_reason();
  if (err == ESRCH && program)
    return fail(ExitCode::kKernel,
                what + ": its attach target was not found in the kernel's BTF" +
                    (reason.empty() ? "" : " (" + reason + ")"),
                "the function may be missing, renamed or inlined in this kernel");
  return fail(ExitCode::kKernel,
              what + ": " + libbpf_error_text(err) + (reason.empty() ? "" : " (" + reason + ")"),
              "run with -v to see libbpf's messages");
}

}  // namespace lmp::loader
