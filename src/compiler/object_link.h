// Passes a clang-built object through libbpf's static linker (as `bpftool gen object` does):
// the result keeps code, maps, BTF and CO-RE relocations but drops DWARF, which is most of
// the size of an object compiled with -g against vmlinux.h.
#pragma once

#include <filesystem>

#include "common/result.h"

namespace lmp::compiler {

// Links `input` alone into `output`. Errors: kBuild (libbpf's messages are in the debug log).
Result<void> link_bpf_object(const std::filesystem::path& input,
                             const std::filesystem::path& output);

}  // namespace lmp::compiler
