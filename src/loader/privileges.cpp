#include "loader/privileges.h"

#include <linux/capability.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace lmp::loader {
namespace {

// Older headers may lack the 5.8 capabilities.
constexpr int kCapPerfmonPrivileges = 38;
constexpr int kCapBpfPrivileges = 39;
constexpr int kCapSysAdminPrivileges = 21;

bool has(const __user_cap_data_struct (&data)[2], int cap) {
  return (data[cap / 32].effective >> (cap % 32)) & 1u;
}

}  // namespace

Result<void> check_privileges() {
  __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
  __user_cap_data_struct data[2] = {};
  bool allowed = false;
  if (syscall(SYS_capget, &header, data) == 0) {
    allowed = has(data, kCapSysAdminPrivileges) ||
              (has(data, kCapBpfPrivileges) && has(data, kCapPerfmonPrivileges));
  } else {
    allowed = geteuid() == 0;
  }
  if (!allowed)
    return fail(ExitCode::kPermission, "lmp run needs root or CAP_BPF and CAP_PERFMON",
                "run it with sudo");
  return {};
}

}  // namespace lmp::loader
