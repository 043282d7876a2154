#include "registry/cache_files.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <utility>

namespace lmp::registry {
namespace {

namespace fs = std::filesystem;

std::string mode_text(mode_t mode) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "%04o", static_cast<unsigned>(mode & 07777));
  return buf;
}

}  // namespace

Result<void> create_cache_directories(const fs::path& dir) {
  std::error_code ec;
  if (dir.empty() || fs::is_directory(dir, ec)) return {};
  if (dir.has_parent_path() && dir.parent_path() != dir)
    LMP_CHECK(create_cache_directories(dir.parent_path()));
  if (::mkdir(dir.c_str(), 0755) != 0) {
    if (errno == EEXIST && fs::is_directory(dir, ec)) return {};  // made by another lmp
    return fail(ExitCode::kFailure, "cannot create " + dir.string() + ": " + std::strerror(errno));
  }
  if (::chmod(dir.c_str(), 0755) != 0)
    return fail(ExitCode::kFailure,
                "cannot set the mode of " + dir.string() + ": " + std::strerror(errno));
  return {};
}

Result<void> check_private(const fs::path& path, bool follow) {
  struct stat st {};
  if ((follow ? ::stat(path.c_str(), &st) : ::lstat(path.c_str(), &st)) != 0) {
    if (errno == ENOENT) return {};
    return fail(ExitCode::kFailure,
                "cannot inspect " + path.string() + ": " + std::strerror(errno));
  }
  std::string hint = "lmp refuses a cache another user could change; fix it or set LMP_HOME";
  if (S_ISLNK(st.st_mode))
    return fail(ExitCode::kFailure, "unsafe cache: " + path.string() + " is a symbolic link", hint);
  uid_t me = ::geteuid();
  if (st.st_uid != me && st.st_uid != 0)
    return fail(ExitCode::kFailure,
                "unsafe cache: " + path.string() + " belongs to uid " + std::to_string(st.st_uid) +
                    ", not to uid " + std::to_string(me) + " or root",
                hint);
  if ((st.st_mode & (S_IWGRP | S_IWOTH)) != 0)
    return fail(ExitCode::kFailure,
                "unsafe cache: " + path.string() + " is writable by group or others (mode " +
                    mode_text(st.st_mode) + ")",
                "run 'chmod go-w " + path.string() + "'; " + hint);
  return {};
}

bool resolves_inside(const fs::path& root, const fs::path& path) {
  std::error_code ec;
  fs::path r = fs::weakly_canonical(root, ec);
  if (ec) return false;
  fs::path p = fs::weakly_canonical(path, ec);
  if (ec) return false;
  fs::path rel = p.lexically_relative(r);
  return !rel.empty() && *rel.begin() != "..";
}

Result<CacheLock> CacheLock::acquire(const fs::path& path) {
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
  if (fd < 0)
    return fail(ExitCode::kFailure,
                "cannot open the cache lock " + path.string() + ": " + std::strerror(errno),
                "check the owner and permissions of LMP_HOME");
  CacheLock lock(fd);
  while (::flock(fd, LOCK_EX) != 0) {
    if (errno == EINTR) continue;
    return fail(ExitCode::kFailure, "cannot lock " + path.string() + ": " + std::strerror(errno),
                "LMP_HOME must be on a file system with flock");
  }
  return lock;
}

CacheLock::~CacheLock() {
  if (fd_ >= 0) ::close(fd_);  // releases the lock
}

CacheLock::CacheLock(CacheLock&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}

}  // namespace lmp::registry
