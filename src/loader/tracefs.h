// tracefs, which libbpf needs to look up tracepoint ids.
#pragma once

#include <string>

#include "common/result.h"

namespace lmp::loader {

// The directory where tracefs is reachable: /sys/kernel/tracing, else
// /sys/kernel/debug/tracing; empty when neither is mounted.
std::string tracefs_dir();

// Makes tracefs reachable. When neither place has it, mounts tracefs at /sys/kernel/tracing
// and says so on stderr. Error (kKernel or kPermission) when that is not possible.
Result<void> ensure_tracefs();

}  // namespace lmp::loader
