// Read-only preopened directories: path_open resolves beneath a preopen with openat2
// (RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS), so `..`, absolute paths and symlinks cannot
// leave the tree; nothing can be created, truncated or written (EROFS). docs/wasm.md.
#include <dirent.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstring>
#include <filesystem>
#include <memory>

#include "wasm/host_import.h"
#include "wasm/wasi_errno.h"

namespace lmp::wasm {
namespace {

using namespace wasi_errno_values;

// WASI rights bits: what a read-only file and directory allow, and the rights that write.
constexpr uint64_t bit(int n) {
  return uint64_t{1} << n;
}
constexpr uint64_t kFileRights = bit(1) | bit(2) | bit(5) | bit(21) | bit(27);
constexpr uint64_t kDirRights = bit(13) | bit(14) | bit(18) | bit(21);
constexpr uint64_t kWriteRights = bit(0) | bit(6) | bit(8) | bit(22);
// oflags creat, excl, trunc; fdflags append, dsync, sync; lookupflags symlink_follow.
constexpr uint32_t kOflagDirectory = 2, kOflagsWriting = 1 | 4 | 8, kFdflagsWriting = 1 | 2 | 16;
constexpr uint32_t kFdflagNonblock = 4, kSymlinkFollow = 1;

uint32_t wasi_errno(int e) {
  switch (e) {
    case EACCES:
      return kAcces;
    case EBADF:
      return kBadf;
    case EEXIST:
      return kExist;
    case EINVAL:
      return kInval;
    case EISDIR:
      return kIsdir;
    case ELOOP:
      return kLoop;
    case EMFILE:
    case ENFILE:
      return kMfile;
    case ENAMETOOLONG:
      return kNametoolong;
    case ENOENT:
      return kNoent;
    case ENOMEM:
      return kNomem;
    case ENOTDIR:
      return kNotdir;
    case EOVERFLOW:
      return kOverflow;
    case EPERM:
      return kPerm;
    case EROFS:
      return kRofs;
    case ESPIPE:
      return kSpipe;
    case EXDEV:  // RESOLVE_BENEATH: the path leaves the directory
      return kNotcapable;
    default:
      return kIo;
  }
}

uint8_t filetype(mode_t mode) {
  if (S_ISBLK(mode)) return 1;
  if (S_ISCHR(mode)) return 2;
  if (S_ISDIR(mode)) return 3;
  if (S_ISREG(mode)) return 4;
  if (S_ISSOCK(mode)) return 6;
  if (S_ISLNK(mode)) return 7;
  return 0;
}

uint8_t dirent_type(unsigned char type) {
  switch (type) {
    case DT_BLK:
      return 1;
    case DT_CHR:
      return 2;
    case DT_DIR:
      return 3;
    case DT_REG:
      return 4;
    case DT_SOCK:
      return 6;
    case DT_LNK:
      return 7;
    default:
      return 0;
  }
}

// The guest's path, or an errno: outside memory, or holding a NUL.
std::expected<std::string, uint32_t> guest_path(const Guest& g, uint32_t ptr, uint32_t len) {
  if (len >= PATH_MAX) return std::unexpected(kNametoolong);
  auto bytes = g.memory.bytes(ptr, len);
  if (!bytes) return std::unexpected(kFault);
  std::string path(bytes->begin(), bytes->end());
  if (path.find('\0') != std::string::npos) return std::unexpected(kInval);
  return path;
}

// Opens `path` beneath the directory `dir` names; never outside it.
std::expected<UniqueFd, uint32_t> open_beneath(Guest& g, uint32_t dir, const std::string& path,
                                               uint64_t flags, bool follow) {
  OpenFile* base = g.files.find(dir);
  if (!base) return std::unexpected(kBadf);
  if (!base->is_dir) return std::unexpected(kNotdir);
  open_how how{};
  how.flags = flags | O_CLOEXEC | (follow ? 0 : O_NOFOLLOW);
  how.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS;
  long fd = syscall(SYS_openat2, base->fd.get(), path.c_str(), &how, sizeof how);
  if (fd < 0) return std::unexpected(wasi_errno(errno));
  return UniqueFd(static_cast<int>(fd));
}

uint32_t store_filestat(const Guest& g, int fd, uint32_t buf) {
  if (!g.memory.bytes(buf, 64)) return kFault;
  struct stat st {};
  if (fstat(fd, &st) != 0) return wasi_errno(errno);
  auto ns = [](const timespec& ts) { return uint64_t(ts.tv_sec) * 1'000'000'000ull + ts.tv_nsec; };
  g.memory.store_u64(buf, st.st_dev);
  g.memory.store_u64(buf + 8, st.st_ino);
  g.memory.store_u64(buf + 16, filetype(st.st_mode));  // the filetype byte, then padding
  g.memory.store_u64(buf + 24, st.st_nlink);
  g.memory.store_u64(buf + 32, st.st_size);
  g.memory.store_u64(buf + 40, ns(st.st_atim));
  g.memory.store_u64(buf + 48, ns(st.st_mtim));
  g.memory.store_u64(buf + 56, ns(st.st_ctim));
  return kSuccess;
}

uint32_t path_open(Guest& g, uint32_t dir, uint32_t lookup, uint32_t path_ptr, uint32_t path_len,
                   uint32_t oflags, uint64_t rights, uint32_t fdflags, uint32_t fd_out) {
  auto path = guest_path(g, path_ptr, path_len);
  if (!path) return path.error();
  if (!g.memory.bytes(fd_out, 4)) return kFault;
  if (!g.files.find(dir)) return kBadf;
  if ((oflags & kOflagsWriting) || (rights & kWriteRights) || (fdflags & kFdflagsWriting))
    return kRofs;
  uint64_t flags =
      O_RDONLY | O_NOCTTY | O_NONBLOCK | ((oflags & kOflagDirectory) ? O_DIRECTORY : 0);
  auto fd = open_beneath(g, dir, *path, flags, lookup & kSymlinkFollow);
  if (!fd) return fd.error();
  // Non-blocking only for the open itself (a FIFO), unless the guest asked for it.
  if (!(fdflags & kFdflagNonblock)) fcntl(fd->get(), F_SETFL, 0);
  struct stat st {};
  if (fstat(fd->get(), &st) != 0) return wasi_errno(errno);
  OpenFile file{std::move(*fd), S_ISDIR(st.st_mode), std::nullopt, {}, false};
  auto guest_fd = g.files.add(std::move(file));
  if (!guest_fd) return kMfile;
  g.memory.store_u32(fd_out, *guest_fd);
  return kSuccess;
}

// Reads into the guest's iovecs ({u32 buf, u32 len}) from `offset`, or the file position.
uint32_t read_iovecs(Guest& g, uint32_t fd, uint32_t iovs, uint32_t count,
                     std::optional<uint64_t> offset, uint32_t read_ptr) {
  OpenFile* file = g.files.find(fd);
  if (!file) return kBadf;
  if (file->is_dir) return kIsdir;
  if (!g.memory.bytes(iovs, uint64_t{count} * 8 > UINT32_MAX ? UINT32_MAX : count * 8) ||
      !g.memory.bytes(read_ptr, 4))
    return kFault;
  uint64_t total = 0;
  for (uint32_t i = 0; i < count; ++i) {
    auto buf =
        g.memory.bytes(*g.memory.load_u32(iovs + i * 8), *g.memory.load_u32(iovs + i * 8 + 4));
    if (!buf) return kFault;
    ssize_t n = offset ? pread(file->fd.get(), buf->data(), buf->size(), *offset + total)
                       : read(file->fd.get(), buf->data(), buf->size());
    if (n < 0) {
      if (total == 0) return wasi_errno(errno);
      break;
    }
    total += n;
    if (size_t(n) < buf->size() || total > UINT32_MAX / 2) break;
  }
  g.memory.store_u32(read_ptr, static_cast<uint32_t>(total));
  return kSuccess;
}

// Lists the directory again from its start (at cookie 0, or the first time).
uint32_t list(OpenFile& dir) {
  int fd = openat(dir.fd.get(), ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return wasi_errno(errno);
  std::unique_ptr<DIR, int (*)(DIR*)> stream(fdopendir(fd), closedir);
  if (!stream) {
    UniqueFd owned(fd);
    return wasi_errno(errno);
  }
  dir.entries.clear();
  while (const dirent* entry = readdir(stream.get()))
    dir.entries.push_back(DirEntry{entry->d_ino, dirent_type(entry->d_type), entry->d_name});
  dir.listed = true;
  return kSuccess;
}

// Dirents are d_next u64, d_ino u64, d_namlen u32, d_type u8 and 3 bytes of padding, then
// the name; entries from `cookie` fill the buffer, the last one cut off where it ends.
uint32_t fd_readdir(Guest& g, uint32_t fd, uint32_t buf, uint32_t buf_len, uint64_t cookie,
                    uint32_t used_ptr) {
  OpenFile* dir = g.files.find(fd);
  if (!dir) return kBadf;
  if (!dir->is_dir) return kNotdir;
  auto out = g.memory.bytes(buf, buf_len);
  if (!out || !g.memory.bytes(used_ptr, 4)) return kFault;
  if (cookie == 0 || !dir->listed)
    if (uint32_t rc = list(*dir); rc != kSuccess) return rc;
  size_t used = 0;
  for (uint64_t i = cookie; i < dir->entries.size() && used < out->size(); ++i) {
    const DirEntry& e = dir->entries[i];
    std::vector<uint8_t> dirent(24 + e.name.size(), 0);
    auto put = [&](size_t at, uint64_t value, int bytes) {
      for (int b = 0; b < bytes; ++b) dirent[at + b] = uint8_t(value >> (8 * b));
    };
    put(0, i + 1, 8);
    put(8, e.ino, 8);
    put(16, e.name.size(), 4);
    dirent[20] = e.type;
    std::copy(e.name.begin(), e.name.end(), dirent.begin() + 24);
    size_t n = std::min(dirent.size(), out->size() - used);
    std::copy_n(dirent.begin(), n, out->begin() + used);
    used += n;
  }
  g.memory.store_u32(used_ptr, static_cast<uint32_t>(used));
  return kSuccess;
}

uint32_t fd_prestat_get(Guest& g, uint32_t fd, uint32_t buf) {
  OpenFile* file = g.files.find(fd);
  if (!file || !file->preopen_path) return kBadf;
  if (!g.memory.bytes(buf, 8)) return kFault;
  g.memory.store_u32(buf, 0);  // tag 0: a directory
  g.memory.store_u32(buf + 4, file->preopen_path->size());
  return kSuccess;
}

uint32_t fd_prestat_dir_name(Guest& g, uint32_t fd, uint32_t buf, uint32_t len) {
  OpenFile* file = g.files.find(fd);
  if (!file || !file->preopen_path) return kBadf;
  const std::string& name = *file->preopen_path;
  if (len < name.size()) return kNametoolong;
  auto out = g.memory.bytes(buf, name.size());
  if (!out) return kFault;
  std::copy(name.begin(), name.end(), out->begin());
  return kSuccess;
}

uint32_t fs_arg_u32(const uint64_t* p, size_t i) {
  return static_cast<uint32_t>(p[i]);
}

std::optional<std::string> fs_ret(uint64_t* r, uint32_t errno_value) {
  r[0] = errno_value;
  return std::nullopt;
}

}  // namespace

Result<Preopen> parse_preopen(std::string_view text) {
  size_t colon = text.find(':');
  Preopen preopen{std::string(text.substr(0, colon)),
                  std::string(colon == std::string_view::npos ? text : text.substr(colon + 1))};
  std::error_code ec;
  if (preopen.host_dir.empty() || preopen.guest_path.empty() ||
      !std::filesystem::is_directory(preopen.host_dir, ec))
    return fail(ExitCode::kUsage, "--wasm-dir: '" + std::string(text) + "' is not a directory",
                "use --wasm-dir HOST_DIR[:GUEST_DIR]");
  return preopen;
}

Result<void> FdTable::preopen(const std::vector<Preopen>& dirs) {
  for (const Preopen& dir : dirs) {
    UniqueFd fd(open(dir.host_dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!fd)
      return fail(ExitCode::kNotFound,
                  "--wasm-dir: cannot open " + dir.host_dir.string() + ": " + std::strerror(errno));
    uint32_t guest_fd = kFirstFd + files_.size();
    files_.emplace(guest_fd, OpenFile{std::move(fd), true, dir.guest_path, {}, false});
    lent_ = true;
  }
  return {};
}

OpenFile* FdTable::find(uint32_t fd) {
  auto it = files_.find(fd);
  return it == files_.end() ? nullptr : &it->second;
}

std::optional<uint32_t> FdTable::add(OpenFile file) {
  if (opened_ >= kMaxOpen) return std::nullopt;
  uint32_t fd = kFirstFd;
  while (files_.contains(fd)) ++fd;
  files_.emplace(fd, std::move(file));
  ++opened_;
  return fd;
}

bool FdTable::close(uint32_t fd) {
  auto it = files_.find(fd);
  if (it == files_.end()) return false;
  if (!it->second.preopen_path) --opened_;
  files_.erase(it);
  return true;
}

uint32_t fs_read(Guest& g, uint32_t fd, uint32_t iovs, uint32_t count, uint32_t read_ptr) {
  return read_iovecs(g, fd, iovs, count, std::nullopt, read_ptr);
}

uint32_t fs_seek(Guest& g, uint32_t fd, int64_t offset, uint32_t whence, uint32_t result_ptr) {
  OpenFile* file = g.files.find(fd);
  if (!file) return kBadf;
  if (whence > 2) return kInval;
  if (!g.memory.bytes(result_ptr, 8)) return kFault;
  constexpr int kWhence[] = {SEEK_SET, SEEK_CUR, SEEK_END};
  off_t at = lseek(file->fd.get(), offset, kWhence[whence]);
  if (at < 0) return wasi_errno(errno);
  g.memory.store_u64(result_ptr, at);
  return kSuccess;
}

uint32_t fs_close(Guest& g, uint32_t fd) {
  return g.files.close(fd) ? kSuccess : kBadf;
}

uint32_t fs_fdstat_get(Guest& g, uint32_t fd, uint32_t stat) {
  OpenFile* file = g.files.find(fd);
  if (!file) return kBadf;
  if (!g.memory.bytes(stat, 24)) return kFault;
  struct stat st {};
  if (fstat(file->fd.get(), &st) != 0) return wasi_errno(errno);
  int fl = fcntl(file->fd.get(), F_GETFL);
  g.memory.store_u64(stat, filetype(st.st_mode));  // filetype, pad, u16 fdflags, pad
  g.memory.store_u16(stat + 2, fl >= 0 && (fl & O_NONBLOCK) ? kFdflagNonblock : 0);
  // A directory offers write rights to what it opens so that a request for them reaches
  // path_open, which refuses it with EROFS, rather than opening a file that cannot write.
  g.memory.store_u64(stat + 8, file->is_dir ? kDirRights | kFileRights : kFileRights);
  g.memory.store_u64(stat + 16, file->is_dir ? kDirRights | kFileRights | kWriteRights : 0);
  return kSuccess;
}

std::optional<HostImport> wasi_fs_import(std::string_view name) {
  using P = uint64_t*;
  using G = Guest&;
  auto fn = [](std::string params, HostFn body) {
    return std::optional<HostImport>(HostImport{{std::move(params), "i"}, body});
  };
  // Without --wasm-dir, what reaches the file system stays ENOTCAPABLE.
  if (name == "fd_prestat_get")
    return fn("ii", [](G g, P p) {
      return fs_ret(p, fd_prestat_get(g, fs_arg_u32(p, 0), fs_arg_u32(p, 1)));
    });
  if (name == "fd_prestat_dir_name")
    return fn("iii", [](G g, P p) {
      return fs_ret(p,
                    fd_prestat_dir_name(g, fs_arg_u32(p, 0), fs_arg_u32(p, 1), fs_arg_u32(p, 2)));
    });
  if (name == "path_open")
    return fn("iiiiiIIii", [](G g, P p) {
      if (!g.files.lent()) return fs_ret(p, kNotcapable);
      return fs_ret(
          p, path_open(g, fs_arg_u32(p, 0), fs_arg_u32(p, 1), fs_arg_u32(p, 2), fs_arg_u32(p, 3),
                       fs_arg_u32(p, 4), p[5], fs_arg_u32(p, 7), fs_arg_u32(p, 8)));
    });
  if (name == "fd_pread")
    return fn("iiiIi", [](G g, P p) {
      if (!g.files.lent()) return fs_ret(p, kNotcapable);
      return fs_ret(p, read_iovecs(g, fs_arg_u32(p, 0), fs_arg_u32(p, 1), fs_arg_u32(p, 2), p[3],
                                   fs_arg_u32(p, 4)));
    });
  if (name == "fd_tell")
    return fn("ii", [](G g, P p) {
      if (!g.files.lent()) return fs_ret(p, kNotcapable);
      return fs_ret(p, fs_seek(g, fs_arg_u32(p, 0), 0, 1, fs_arg_u32(p, 1)));
    });
  if (name == "fd_filestat_get")
    return fn("ii", [](G g, P p) {
      if (!g.files.lent()) return fs_ret(p, kNotcapable);
      OpenFile* file = g.files.find(fs_arg_u32(p, 0));
      return fs_ret(p, file ? store_filestat(g, file->fd.get(), fs_arg_u32(p, 1)) : kBadf);
    });
  if (name == "path_filestat_get")
    return fn("iiiii", [](G g, P p) {
      if (!g.files.lent()) return fs_ret(p, kNotcapable);
      auto path = guest_path(g, fs_arg_u32(p, 2), fs_arg_u32(p, 3));
      if (!path) return fs_ret(p, path.error());
      auto fd = open_beneath(g, fs_arg_u32(p, 0), *path, O_PATH, fs_arg_u32(p, 1) & kSymlinkFollow);
      if (!fd) return fs_ret(p, fd.error());
      return fs_ret(p, store_filestat(g, fd->get(), fs_arg_u32(p, 4)));
    });
  if (name == "fd_readdir")
    return fn("iiiIi", [](G g, P p) {
      if (!g.files.lent()) return fs_ret(p, kNotcapable);
      return fs_ret(p, fd_readdir(g, fs_arg_u32(p, 0), fs_arg_u32(p, 1), fs_arg_u32(p, 2), p[3],
                                  fs_arg_u32(p, 4)));
    });
  return std::nullopt;
}

}  // namespace lmp::wasm
