#include "compiler/clang_driver.h"

#include <spawn.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <utility>

#include "common/log.h"
#include "compiler/libbpf_compat.h"
#include "compiler/str_cat.h"

extern char** environ;

namespace lmp::compiler {
namespace {

namespace fs = std::filesystem;

// Looks `name` up in PATH (or takes it as is when it contains a slash).
fs::path find_in_path(const std::string& name) {
  if (name.find('/') != std::string::npos) return access(name.c_str(), X_OK) == 0 ? name : "";
  const char* path = std::getenv("PATH");
  std::string_view dirs = path ? path : "/usr/local/bin:/usr/bin:/bin";
  while (!dirs.empty()) {
    std::size_t colon = dirs.find(':');
    std::string_view dir = dirs.substr(0, colon);
    dirs = colon == std::string_view::npos ? "" : dirs.substr(colon + 1);
    fs::path candidate = fs::path(dir.empty() ? "." : dir) / name;
    if (access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  return {};
}

std::string machine_name() {
  utsname u{};
  return uname(&u) == 0 ? u.machine : "";
}

// Debian's multiarch include directory (asm/types.h lives there).
std::string multiarch_triple(std::string_view machine) {
  if (machine == "x86_64") return "x86_64-linux-gnu";
  if (machine == "aarch64") return "aarch64-linux-gnu";
  if (machine.starts_with("arm")) return "arm-linux-gnueabihf";
  if (machine == "riscv64") return "riscv64-linux-gnu";
  if (machine == "ppc64le") return "powerpc64le-linux-gnu";
  if (machine == "s390x") return "s390x-linux-gnu";
  if (machine == "loongarch64") return "loongarch64-linux-gnu";
  if (machine == "mips64") return "mips64el-linux-gnuabi64";
  if (machine.starts_with("i") && machine.ends_with("86")) return "i386-linux-gnu";
  return std::string(machine) + "-linux-gnu";
}

}  // namespace

std::string target_arch(std::string_view machine) {
  if (machine == "x86_64" || (machine.starts_with("i") && machine.ends_with("86"))) return "x86";
  if (machine == "aarch64" || machine == "arm64") return "arm64";
  if (machine.starts_with("arm")) return "arm";
  if (machine.starts_with("riscv")) return "riscv";
  if (machine.starts_with("ppc") || machine.starts_with("powerpc")) return "powerpc";
  if (machine.starts_with("s390")) return "s390";
  if (machine.starts_with("mips")) return "mips";
  if (machine.starts_with("loongarch")) return "loongarch";
  if (machine.starts_with("sparc")) return "sparc";
  return "";
}

Result<fs::path> find_clang() {
  if (const char* env = std::getenv("LMP_CLANG"); env && *env) {
    fs::path found = find_in_path(env);
    if (found.empty()) {
      return fail(ExitCode::kBuild, str_cat("LMP_CLANG=", env, " is not an executable"));
    }
    return found;
  }
  static constexpr std::array kNames = {"clang",    "clang-19", "clang-18", "clang-17",
                                        "clang-16", "clang-15", "clang-14"};
  for (const char* name : kNames) {
    if (fs::path found = find_in_path(name); !found.empty()) return found;
  }
  return fail(ExitCode::kBuild, "clang is not installed; lmp build needs it to compile eBPF",
              "install the Debian package `clang` (apt-get install clang), or set LMP_CLANG");
}

Result<void> check_libbpf_headers() {
  for (const char* dir : {"/usr/include", "/usr/local/include"}) {
    std::error_code ec;
    if (fs::exists(fs::path(dir) / "bpf" / "bpf_helpers.h", ec)) return {};
  }
  return fail(ExitCode::kBuild, "libbpf headers (bpf/bpf_helpers.h) are not installed",
              "install the Debian package `libbpf-dev`");
}

std::vector<std::string> clang_command(const fs::path& clang, const CompileRequest& request) {
  std::string machine = machine_name();
  std::string arch = target_arch(machine);
  std::vector<std::string> argv = {clang.string(), "-g", "-O2", "-target", "bpf"};
  if (!arch.empty()) argv.push_back("-D__TARGET_ARCH_" + arch);
  fs::path source_dir = request.source.parent_path();
  // The source's directory before the -I directories, so `#include "x.h"` and `<x.h>` pick
  // the same file; the generated vmlinux.h last, so a project's own vmlinux.h wins.
  if (!request.compat_dir.empty()) argv.push_back("-I" + request.compat_dir.string());
  argv.push_back("-I" + (source_dir.empty() ? fs::path(".") : source_dir).string());
  for (const auto& dir : request.flags.include_dirs) argv.push_back("-I" + dir.string());
  if (!request.vmlinux_dir.empty()) argv.push_back("-I" + request.vmlinux_dir.string());
  // System headers after clang's own, as they would be for a host compile.
  for (fs::path dir :
       {fs::path("/usr/local/include"), fs::path("/usr/include") / multiarch_triple(machine),
        fs::path("/usr/include")}) {
    std::error_code ec;
    if (fs::is_directory(dir, ec)) argv.insert(argv.end(), {"-idirafter", dir.string()});
  }
  for (const auto& define : request.flags.defines) argv.push_back("-D" + define);
  argv.insert(argv.end(), request.flags.extra.begin(), request.flags.extra.end());
  if (!request.prelude.empty()) argv.insert(argv.end(), {"-include", request.prelude.string()});
  argv.insert(argv.end(), {"-c", request.source.string(), "-o", request.object.string()});
  return argv;
}

Result<std::vector<std::string>> split_flags(std::string_view text) {
  std::vector<std::string> out;
  std::string word;
  bool in_word = false;
  char quote = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (quote) {
      if (c == quote) {
        quote = 0;
      } else if (c == '\\' && quote == '"' && i + 1 < text.size()) {
        word += text[++i];
      } else {
        word += c;
      }
    } else if (c == ' ' || c == '\t' || c == '\n') {
      if (in_word) out.push_back(std::exchange(word, {}));
      in_word = false;
    } else {
      in_word = true;
      if (c == '\'' || c == '"') {
        quote = c;
      } else if (c == '\\' && i + 1 < text.size()) {
        word += text[++i];
      } else {
        word += c;
      }
    }
  }
  if (quote) return fail(ExitCode::kUsage, str_cat("unterminated quote in flags: ", text));
  if (in_word) out.push_back(std::move(word));
  return out;
}

Result<void> compile_bpf(const CompileRequest& given) {
  fs::path clang = LMP_TRY(find_clang());
  LMP_CHECK(check_libbpf_headers());
  CompileRequest request = given;
  if (request.compat_dir.empty()) request.compat_dir = LMP_TRY(libbpf_compat_dir());
  std::vector<std::string> argv = clang_command(clang, request);
  if (log::debug_enabled()) {
    std::string line = "running:";
    for (const auto& a : argv) line += " " + a;
    log::debug(line);
  }
  int status = LMP_TRY(run_process(argv));
  if (status != 0) {
    return fail(ExitCode::kBuild, str_cat("clang failed to compile ", request.source.string()),
                "see clang's messages above");
  }
  return {};
}

Result<int> run_process(const std::vector<std::string>& argv) {
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = 0;
  if (int err = posix_spawnp(&pid, args[0], nullptr, nullptr, args.data(), environ); err != 0) {
    return fail(ExitCode::kBuild, str_cat("cannot run ", argv[0], ": ", std::strerror(err)));
  }
  int status = 0;
  while (waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) {
      return fail(ExitCode::kFailure, str_cat("waiting for ", argv[0], ": ", std::strerror(errno)));
    }
  }
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return WEXITSTATUS(status);
}

}  // namespace lmp::compiler
