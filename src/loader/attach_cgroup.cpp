// Cgroup programs, attached with a bpf link to a cgroup v2 directory (--cgroup).
#include <bpf/libbpf.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <sys/statfs.h>

#include <cerrno>
#include <string>

#include "common/log.h"
#include "loader/attach_targets.h"
#include "loader/bpf_object_handle.h"

namespace lmp::loader {
namespace {

bool is_cgroup2(const char* path) {
  struct statfs fs {};
  return statfs(path, &fs) == 0 && fs.f_type == CGROUP2_SUPER_MAGIC;
}

// The cgroup v2 root: /sys/fs/cgroup (unified layout) or /sys/fs/cgroup/unified (systemd's
// hybrid layout); empty when neither is a cgroup2 mount.
std::string cgroup2_root() {
  for (const char* root : {"/sys/fs/cgroup", "/sys/fs/cgroup/unified"})
    if (is_cgroup2(root)) return root;
  return {};
}

std::string cgroup_hint() {
  std::string root = cgroup2_root();
  if (root.empty()) return "pass --cgroup DIR in a cgroup2 mount (mount -t cgroup2 none DIR)";
  return "pass --cgroup DIR in the cgroup2 mount, e.g. " + root + " or a directory below it";
}

}  // namespace

bool is_cgroup_program(bpf_program* program) {
  switch (bpf_program__type(program)) {
    case BPF_PROG_TYPE_CGROUP_SKB:
    case BPF_PROG_TYPE_CGROUP_SOCK:
    case BPF_PROG_TYPE_CGROUP_SOCK_ADDR:
    case BPF_PROG_TYPE_CGROUP_SOCKOPT:
    case BPF_PROG_TYPE_CGROUP_SYSCTL:
    case BPF_PROG_TYPE_CGROUP_DEVICE:
    case BPF_PROG_TYPE_SOCK_OPS:
      return true;
    case BPF_PROG_TYPE_LSM:
      return bpf_program__expected_attach_type(program) == BPF_LSM_CGROUP;
    default:
      return false;
  }
}

Result<UniqueFd> open_cgroup_v2(const std::string& path) {
  std::string dir = path;
  if (dir.empty()) {
    dir = cgroup2_root();
    if (dir.empty())
      return fail(ExitCode::kUsage,
                  "a cgroup program needs a cgroup: no --cgroup given and no cgroup v2 root at "
                  "/sys/fs/cgroup or /sys/fs/cgroup/unified",
                  cgroup_hint());
    log::debug("no --cgroup given: attaching to the cgroup v2 root " + dir);
  }
  UniqueFd fd(open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!fd) {
    int err = errno;
    if (err == ENOENT)
      return fail(ExitCode::kNotFound, "cgroup directory " + dir + " does not exist",
                  cgroup_hint());
    return fail(ExitCode::kUsage, "cgroup " + dir + ": " + libbpf_error_text(err), cgroup_hint());
  }
  struct statfs fs {};
  if (fstatfs(fd.get(), &fs) != 0)
    return fail(ExitCode::kKernel, "cgroup " + dir + ": " + libbpf_error_text(errno));
  if (fs.f_type == CGROUP_SUPER_MAGIC)
    return fail(ExitCode::kUsage, dir + " is a cgroup v1 directory, not a cgroup v2 directory",
                cgroup_hint());
  if (fs.f_type != CGROUP2_SUPER_MAGIC)
    return fail(ExitCode::kUsage, dir + " is not a cgroup v2 directory", cgroup_hint());
  return fd;
}

Result<std::unique_ptr<Attachment>> attach_cgroup(bpf_program* program, const std::string& path) {
  UniqueFd cgroup = LMP_TRY(open_cgroup_v2(path));
  // The link holds its own reference to the cgroup: the directory fd may close now.
  bpf_link* link = bpf_program__attach_cgroup(program, cgroup.get());
  if (!link) {
    int err = errno;
    return fail(
        err == EPERM || err == EACCES ? ExitCode::kPermission : ExitCode::kKernel,
        "cgroup " + (path.empty() ? std::string("root") : path) + ": " + libbpf_error_text(err),
        "run with -v to see libbpf's messages");
  }
  return std::make_unique<LinkAttachment>(link);
}

}  // namespace lmp::loader
