#include "loader/check.h"

#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <elf.h>

#include <cstring>
#include <optional>
#include <set>

#include "loader/attach.h"
#include "loader/bpf_object_handle.h"
#include "loader/check_core.h"
#include "loader/check_kernel.h"
#include "loader/check_programs.h"
#include "loader/libbpf_log.h"
#include "loader/map_sizes.h"
#include "loader/program_select.h"
#include "loader/tracefs.h"

namespace lmp::loader {
namespace {

using package::CheckItem;
using package::CheckReport;
using package::CheckStatus;

// Kernels before 4.18 have no BTF, so no CO-RE package runs there.
constexpr int kMinMajor = 4;
constexpr int kMinMinor = 18;

CheckItem kernel_check(const KernelRelease& k) {
  CheckItem c{"kernel",
              CheckStatus::kOk,
              "kernel " + k.release + " on " + k.arch,
              "Linux " + std::to_string(k.major) + "." + std::to_string(k.minor),
              {},
              {}};
  if (k.major < kMinMajor || (k.major == kMinMajor && k.minor < kMinMinor)) {
    c.status = CheckStatus::kFail;
    c.reason = "CO-RE eBPF needs Linux 4.18 or newer (BTF)";
    c.hint = "upgrade the kernel";
    c.needs = "Linux 4.18+";
  }
  return c;
}

CheckItem btf_check(const std::string& flag, std::string& path) {
  CheckItem c{"btf", CheckStatus::kOk, "kernel BTF is available", {}, {}, {}};
  auto resolved = resolve_btf_path(flag);
  if (!resolved) {
    c.status = CheckStatus::kFail;
    c.reason = resolved.error().message;
    c.hint = resolved.error().hint;
    c.needs = "kernel BTF";
    return c;
  }
  path = *resolved;
  if (!kernel_btf(path)) {
    c.status = CheckStatus::kFail;
    c.reason = "cannot read " + (path.empty() ? std::string("/sys/kernel/btf/vmlinux") : path);
    c.hint = "pass a BTF file with --btf FILE";
    c.needs = "kernel BTF";
    return c;
  }
  c.reason = path.empty() ? "/sys/kernel/btf/vmlinux" : path + " (given)";
  return c;
}

CheckItem privileges_check(const Privileges& p) {
  CheckItem c{"privileges",
              CheckStatus::kOk,
              "privileges to load eBPF (CAP_BPF and CAP_PERFMON, or CAP_SYS_ADMIN)",
              {},
              {},
              {}};
  std::string have;
  for (auto [on, name] : {std::pair{p.cap_sys_admin, "CAP_SYS_ADMIN"},
                          std::pair{p.cap_bpf, "CAP_BPF"}, std::pair{p.cap_perfmon, "CAP_PERFMON"}})
    if (on) have += (have.empty() ? "" : ", ") + std::string(name);
  if (p.can_load()) {
    c.reason = p.root ? "root (" + have + ")" : have;
    return c;
  }
  c.status = CheckStatus::kFail;
  c.reason = "this process has " + (have.empty() ? std::string("none of them") : "only " + have);
  if (p.unprivileged_bpf_disabled > 0)
    c.reason += "; unprivileged eBPF is disabled (kernel.unprivileged_bpf_disabled=" +
                std::to_string(p.unprivileged_bpf_disabled) + ")";
  c.hint = "run as root (sudo lmp ...), or grant CAP_BPF and CAP_PERFMON";
  c.needs = "root";
  return c;
}

// The sections of the programs that load, for the CO-RE check.
std::set<std::string> loading_sections(bpf_object* object) {
  std::set<std::string> sections;
  bpf_program* program = nullptr;
  bpf_object__for_each_program(program, object) {
    if (bpf_program__autoload(program)) sections.insert(bpf_program__section_name(program));
  }
  return sections;
}

CheckItem core_check(std::span<const uint8_t> elf, bpf_object* object,
                     const std::string& btf_path) {
  CheckItem c{
      "core", CheckStatus::kOk, "CO-RE relocations resolve against this kernel's BTF", {}, {}, {}};
  const struct btf* target = kernel_btf(btf_path);
  if (!target) {
    c.status = CheckStatus::kSkip;
    c.reason = "no kernel BTF to relocate against";
    return c;
  }
  auto result =
      check_core_relocations(elf, bpf_object__btf(object), target, loading_sections(object));
  if (!result) {
    c.status = CheckStatus::kFail;
    c.reason = result.error().message;
    c.hint = result.error().hint;
    c.needs = "a valid object";
    return c;
  }
  std::size_t guarded = 0;
  const CoreFailure* first = nullptr;
  std::size_t failed = 0;
  for (const auto& f : result->failures) {
    if (f.guarded) {
      ++guarded;
      continue;
    }
    if (!first) first = &f;
    ++failed;
  }
  if (first) {
    c.status = CheckStatus::kFail;
    c.reason = std::to_string(failed) + " of " + std::to_string(result->relocations) +
               " do not resolve; the first: " + first->kind + " of " + first->what + " (in " +
               first->section + ")";
    c.hint =
        "the tool reads a field or type this kernel does not have; it needs a "
        "bpf_core_field_exists() guard or another kernel version";
    c.needs = first->what;
    return c;
  }
  c.reason = result->relocations == 0 ? std::string("the object has no CO-RE relocations")
             : result->relocations == 1
                 ? std::string("its one relocation resolves")
                 : "all " + std::to_string(result->relocations) + " relocations resolve";
  if (guarded)
    c.reason += " (" + std::to_string(guarded) +
                " others do not, but the tool checks that they exist first)";
  return c;
}

CheckItem trial_load(BpfObjectHandle& object, const package::Package& pkg) {
  CheckItem c{"trial-load",
              CheckStatus::kOk,
              "the kernel loads the package (loaded, then unloaded)",
              {},
              {},
              {}};
  auto prepare = [](bpf_object* o) -> Result<void> {
    if (needs_tracefs(o, {})) LMP_CHECK(ensure_tracefs());
    LMP_TRY(apply_map_sizes(o, {}));
    return {};
  };
  auto loaded = load_programs(object, pkg.meta.bpf_skel.progs, {}, prepare);
  if (!loaded) {
    const Error& e = loaded.error();
    c.status = CheckStatus::kFail;
    // "program P rejected by the verifier:" and the log's tail: its last line says why.
    c.reason = e.message.substr(0, e.message.find('\n'));
    if (c.reason.ends_with(':') && e.message.find('\n') != std::string::npos) {
      std::string last = e.message.substr(e.message.find_last_of('\n') + 1);
      last.erase(0, last.find_first_not_of(' '));
      c.reason += " " + last;
    }
    c.hint = e.hint.empty() ? "run lmp run -v to see libbpf's messages" : e.hint;
    c.needs = "the verifier's approval";
    return c;
  }
  std::size_t count = 0;
  bpf_program* program = nullptr;
  bpf_object__for_each_program(program, object.get()) {
    if (bpf_program__autoload(program)) ++count;
  }
  c.reason =
      std::to_string(count) + " program" + (count == 1 ? "" : "s") + " accepted by the verifier";
  return c;
}

// Every check. `explain` (lmp run after a failure): only those that make no bpf() call, and no
// trial load.
CheckReport run_checks(const package::Package& pkg, const CheckOptions& options, bool explain) {
  CheckReport report;
  KernelRelease k = kernel_release();
  report.kernel_release = k.release;
  report.arch = k.arch;
  report.checks.push_back(kernel_check(k));
  std::string btf_path;
  report.checks.push_back(btf_check(options.btf, btf_path));
  bool have_btf = report.checks.back().status == CheckStatus::kOk;
  Privileges privs = privileges();
  report.checks.push_back(privileges_check(privs));
  ProbeMode mode{privs.can_load() && !options.no_load && !explain, privs.can_load()};

  auto opened = BpfObjectHandle::open(pkg.bpf_object, pkg.meta.bpf_skel.obj_name, btf_path);
  if (!opened) {
    report.checks.push_back({"object", CheckStatus::kFail, "libbpf opens the eBPF object",
                             opened.error().message, opened.error().hint, "a valid object"});
    return report;
  }
  bpf_object* object = opened->get();
  prepare_programs(object);
  // Which programs lmp run would load: alternatives as it would choose them. Asking whether
  // trampolines work loads a probe program, so only in probe mode.
  SupportCheck real = kernel_support();
  SupportCheck support = [&](const Hook& hook) -> std::string {
    bool trampoline = hook.mechanism == Mechanism::kFentry || hook.mechanism == Mechanism::kFexit;
    if (trampoline && !mode.probe) return {};
    return real(hook);
  };
  auto programs = planned_programs(object, pkg.meta.bpf_skel.progs);
  auto plan = plan_programs(programs, {}, {}, has_prog_array(object), support);
  for (std::size_t i = 0; plan && i < programs.size(); ++i) {
    bpf_program* program = bpf_object__find_program_by_name(object, programs[i].name.c_str());
    bpf_program__set_autoload(program, plan->load[i]);
    if (!plan->load[i]) continue;
    report.checks.push_back(check_program_type(program, mode));
    report.checks.push_back(check_attach_point(program, mode));
  }
  bpf_map* map = nullptr;
  bpf_object__for_each_map(map, object) {
    if (!bpf_map__is_internal(map)) report.checks.push_back(check_map_type(map, mode));
  }
  if (have_btf) report.checks.push_back(core_check(pkg.bpf_object, object, btf_path));
  if (explain) return report;
  if (options.no_load || !privs.can_load() || !have_btf) {
    report.checks.push_back({"trial-load",
                             CheckStatus::kSkip,
                             "the kernel loads the package (loaded, then unloaded)",
                             options.no_load ? "--no-load"
                             : !have_btf     ? "no kernel BTF"
                                             : "loading needs privileges",
                             options.no_load ? "" : "run lmp check as root",
                             {}});
    return report;
  }
  report.trial_load = true;
  report.checks.push_back(trial_load(*opened, pkg));
  return report;
}

}  // namespace

CheckReport check_package(const package::Package& pkg, const std::string& name,
                          const std::string& version, const CheckOptions& options) {
  CheckReport report = run_checks(pkg, options, /*explain=*/false);
  report.package = name;
  report.version = version;
  return report;
}

Error explain_run_failure(const package::Package& pkg, const std::string& btf, Error error) {
  if (error.code != ExitCode::kKernel && error.code != ExitCode::kPermission) return error;
  CheckOptions options;
  options.no_load = true;
  options.btf = btf;
  CheckReport report = run_checks(pkg, options, /*explain=*/true);
  const CheckItem* failed = report.first_failure();
  if (!failed || failed->id == "privileges") return error;
  std::string hint = failed->hint;
  hint += std::string(hint.empty() ? "" : "; ") + "lmp check lists every check";
  // "attach/P" -> "cannot attach program P: REASON", as lmp run's own errors read.
  std::string message = failed->title + ": " + failed->reason;
  auto slash = failed->id.find('/');
  std::string name = slash == std::string::npos ? std::string() : failed->id.substr(slash + 1);
  if (failed->id.starts_with("attach/"))
    message = "cannot attach program " + name + ": " + failed->reason;
  else if (failed->id.starts_with("program/"))
    message = "cannot load program " + name + ": its program type is not supported here (" +
              failed->reason + ")";
  else if (failed->id.starts_with("map/"))
    message = "cannot create map " + name + ": " + failed->reason;
  else if (failed->id == "core")
    message = "CO-RE relocations do not resolve against this kernel's BTF: " + failed->reason;
  return Error{error.code, message, hint};
}

std::vector<uint8_t> embedded_bpf_object(std::span<const uint8_t> wasm) {
  static constexpr uint8_t kMagic[] = {0x7f, 'E', 'L', 'F', ELFCLASS64, ELFDATA2LSB};
  for (std::size_t at = 0; at + sizeof(Elf64_Ehdr) <= wasm.size(); ++at) {
    if (std::memcmp(wasm.data() + at, kMagic, sizeof(kMagic)) != 0) continue;
    Elf64_Ehdr header;
    std::memcpy(&header, wasm.data() + at, sizeof(header));
    if (header.e_machine != EM_BPF || header.e_shentsize != sizeof(Elf64_Shdr)) continue;
    uint64_t end = header.e_shoff + uint64_t{header.e_shnum} * sizeof(Elf64_Shdr);
    if (header.e_shoff < sizeof(header) || end > wasm.size() - at) continue;
    return {wasm.begin() + static_cast<std::ptrdiff_t>(at),
            wasm.begin() + static_cast<std::ptrdiff_t>(at + end)};
  }
  return {};
}

}  // namespace lmp::loader
