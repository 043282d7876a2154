#include "loader/tracefs.h"

#include <sys/mount.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "common/log.h"

namespace lmp::loader {
namespace {

constexpr const char* kTracefs = "/sys/kernel/tracing";
constexpr const char* kDebugfsTracing = "/sys/kernel/debug/tracing";

bool mounted_at(const std::string& dir) {
  std::error_code ec;
  return std::filesystem::exists(dir + "/events", ec);
}

}  // namespace

std::string tracefs_dir() {
  if (mounted_at(kTracefs)) return kTracefs;
  if (mounted_at(kDebugfsTracing)) return kDebugfsTracing;
  return {};
}

Result<void> ensure_tracefs() {
  if (!tracefs_dir().empty()) return {};
  if (mount("nodev", kTracefs, "tracefs", 0, nullptr) != 0) {
    int err = errno;
    return fail(err == EPERM ? ExitCode::kPermission : ExitCode::kKernel,
                std::string("tracefs is not mounted and mounting it at ") + kTracefs +
                    " failed: " + std::strerror(err),
                "tracepoint programs need it: mount -t tracefs nodev /sys/kernel/tracing");
  }
  log::info(std::string("mounted tracefs at ") + kTracefs);
  return {};
}

}  // namespace lmp::loader
