// File-system primitives of the cache (LMP_HOME): directories made with an explicit mode
// whatever the umask, the ssh-like check that no other local user can change what lmp
// loads, and the lock file that serialises writers of refs.json.
#pragma once

#include <filesystem>

#include "common/result.h"

namespace lmp::registry {

// Creates `dir` and its missing parents, each with mode 0755 exactly (chmod after mkdir,
// so a umask of 000 or 002 cannot make them group- or world-writable). Directories that
// exist are left as they are.
Result<void> create_cache_directories(const std::filesystem::path& dir);

// Refuses what another local user could change: `path` must belong to this user (or to
// root) and must not be writable by group or others; with `follow` false it must not be
// a symbolic link either. A missing path is fine. Errors are kFailure naming the path,
// with the chmod or LMP_HOME to fix it.
Result<void> check_private(const std::filesystem::path& path, bool follow = false);

// True when `path` resolves (symbolic links followed) to `root` or below it.
bool resolves_inside(const std::filesystem::path& root, const std::filesystem::path& path);

// An exclusive flock on a lock file, held until destruction.
class CacheLock {
 public:
  // Opens (creating, mode 0644) and locks `path`, waiting for other holders. Failing to
  // open or lock is an error: writers that went on unlocked would lose each other's entries.
  static Result<CacheLock> acquire(const std::filesystem::path& path);
  ~CacheLock();
  CacheLock(CacheLock&& other) noexcept;
  CacheLock& operator=(CacheLock&&) = delete;

 private:
  explicit CacheLock(int fd) : fd_(fd) {}
  int fd_;
};

}  // namespace lmp::registry
