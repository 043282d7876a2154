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

struct CompileRequest {
  std::filesystem::path source;       // FILE.bpf.c
  std::filesystem::path object;       // output FILE.bpf.o
  std::filesystem::path vmlinux_dir;  // holds vmlinux.h
  std::filesystem::path prelude;      // optional header included before the source (-include)
};

// The clang command line for `request`: -g -O2 -target bpf -D__TARGET_ARCH_<arch>, the vmlinux
// and source directories, then the system include directories.
std::vector<std::string> clang_command(const std::filesystem::path& clang,
                                       const CompileRequest& request);

// Runs clang (diagnostics go straight to our stderr). Errors: kBuild when it fails.
Result<void> compile_bpf(const CompileRequest& request);

// Runs `argv` (argv[0] looked up in PATH) with inherited stdio; returns its exit status
// (128 + signal number when killed).
Result<int> run_process(const std::vector<std::string>& argv);

}  // namespace lmp::compiler
