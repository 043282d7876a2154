// vmlinux.h: every kernel type as C, generated from BTF and cached per BTF content.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

struct btf;

namespace lmp::compiler {

inline constexpr const char* kKernelBtfPath = "/sys/kernel/btf/vmlinux";

// 64-bit FNV-1a as 16 hex digits: a content key for caches, not a security measure.
std::string fnv1a_hex(std::string_view data);

// ${LMP_HOME}, else ~/.lmp.
std::filesystem::path lmp_home();

// Renders all types of `btf` as a C header with include guards, wrapped in
// `#pragma clang attribute push(__attribute__((preserve_access_index)), apply_to = record)`
// so field accesses become CO-RE relocations.
Result<std::string> render_vmlinux_header(const btf* btf);

// Returns the directory holding vmlinux.h for the BTF at `btf_path` (empty: the running
// kernel's). The header is cached as LMP_HOME/cache/vmlinux/<hash of the BTF>/vmlinux.h and
// generated only when missing. Errors: kKernel when the kernel has no BTF (hint: --btf FILE).
Result<std::filesystem::path> vmlinux_header_dir(const std::filesystem::path& btf_path);

// The project's own vmlinux.h: the first of `dirs` (the source's directory, then the -I
// directories, the order clang searches them) that holds one; empty when none does. A
// project's vmlinux.h wins over the generated one, which is then not generated at all.
std::filesystem::path find_project_vmlinux(const std::vector<std::filesystem::path>& dirs);

}  // namespace lmp::compiler
