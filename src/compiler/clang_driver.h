// Runs clang to compile a .bpf.c file into a BPF ELF object.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace lmp::compiler {

// The __TARGET_ARCH_* suffix bpf_tracing.h expects for a `uname -m` machine name
// ("x86_64" -> "x86", "aarch64" -> "arm64", ...); empty when unknown.
std::string target_arch(std::string_view machine);

// Finds clang: $LMP_CLANG, else `clang`, else `clang-19` ... `clang-14` on PATH.
// Errors (kBuild) name the Debian package to install.
Result<std::filesystem::path> find_clang();

// Checks that libbpf's BPF headers (bpf/bpf_helpers.h) are installed.
Result<void> check_libbpf_headers();

// What the user adds to the compile (`lmp build -I DIR -D NAME[=VALUE] --cflags "..."`).
struct ClangFlags {
  std::vector<std::filesystem::path> include_dirs;  // searched after the source's directory
  std::vector<std::string> defines;                 // NAME or NAME=VALUE
  std::vector<std::string> extra;                   // given to clang as is, after lmp's flags
};

// Splits a --cflags / LMP_CFLAGS value at blanks; '...' and "..." quote, backslash escapes.
// Errors (kUsage) on an unterminated quote.
Result<std::vector<std::string>> split_flags(std::string_view text);

struct CompileRequest {
  std::filesystem::path source;       // FILE.bpf.c
  std::filesystem::path object;       // output FILE.bpf.o
  std::filesystem::path vmlinux_dir;  // holds the generated vmlinux.h; empty: the project has one
  std::filesystem::path prelude;      // optional header included before the source (-include)
  ClangFlags flags{};
  std::filesystem::path compat_dir{};  // lmp's libbpf compatibility headers; compile_bpf fills it
};

// The clang command line for `request`: -g -O2 -target bpf -D__TARGET_ARCH_<arch>; then the
// include path in search order: the compatibility headers, the source's directory, the -I
// directories, the generated vmlinux.h, the system include directories; then -D, the extra
// flags and the optional prelude.
std::vector<std::string> clang_command(const std::filesystem::path& clang,
                                       const CompileRequest& request);

// Runs clang (diagnostics go straight to our stderr) with the libbpf compatibility headers
// (libbpf_compat.h) on the include path. Errors: kBuild when it fails.
Result<void> compile_bpf(const CompileRequest& request);

// Runs `argv` (argv[0] looked up in PATH) with inherited stdio; returns its exit status
// (128 + signal number when killed).
Result<int> run_process(const std::vector<std::string>& argv);

}  // namespace lmp::compiler
