// lmp's compatibility headers for eBPF sources written against a newer libbpf than the one
// installed (Debian 12 ships libbpf 1.1). Each header shadows one libbpf header
// (bpf/bpf_helpers.h, bpf/bpf_core_read.h, bpf/bpf_tracing.h): it includes the installed one
// with #include_next, then adds the macros and kfunc declarations that newer libbpf versions
// have, each guarded by #ifndef so a newer installed header always wins. The list is in
// docs/build.md ("Sources written for a newer libbpf").
#pragma once

#include <filesystem>
#include <span>
#include <string_view>

#include "common/result.h"

namespace lmp::compiler {

struct CompatHeader {
  std::string_view path;  // relative to the include directory, e.g. "bpf/bpf_helpers.h"
  std::string_view content;
};

// The compatibility headers compiled into lmp.
std::span<const CompatHeader> libbpf_compat_headers();

// A directory holding the compatibility headers, for clang's -I: written once under
// LMP_HOME/cache/libbpf-compat/<hash of the contents>/. Errors: kFailure (cannot write).
Result<std::filesystem::path> libbpf_compat_dir();

}  // namespace lmp::compiler
