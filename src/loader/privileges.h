// Whether this process may load and attach eBPF programs.
#pragma once

#include "common/result.h"

namespace lmp::loader {

// Succeeds when the effective capabilities include CAP_SYS_ADMIN, or CAP_BPF and
// CAP_PERFMON (read with the capget syscall). Error: kPermission
// "lmp run needs root or CAP_BPF and CAP_PERFMON".
Result<void> check_privileges();

}  // namespace lmp::loader
