// vmlinux.h: every kernel type as C, generated from BTF and cached per BTF content.
#pragma once

#include <filesystem>
#include <string>

#include "common/result.h"

struct btf;

namespace lmp::compiler {

inline constexpr const char* kKernelBtfPath = "/sys/kernel/btf/vmlinux";

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

}  // namespace lmp::compiler
