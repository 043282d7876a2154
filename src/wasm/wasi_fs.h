// Read-only directories a user lends a guest (`lmp run --wasm-dir HOST[:GUEST]`): the
// preopens and the files opened beneath them, as guest fds 3 and up. The WASI functions over
// them are in wasi_fs.cpp; a Guest owns one table, so every fd is closed when the run ends.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/result.h"
#include "common/unique_fd.h"
#include "wasm/runtime.h"

namespace lmp::wasm {

// One entry of a directory, as fd_readdir reports it.
struct DirEntry {
  uint64_t ino = 0;
  uint8_t type = 0;  // a WASI filetype
  std::string name;
};

// An open guest fd: a preopened directory (its guest path set) or a file or directory opened
// through path_open. Always read-only.
struct OpenFile {
  UniqueFd fd;
  bool is_dir = false;
  std::optional<std::string> preopen_path;
  std::vector<DirEntry> entries;  // fd_readdir's listing, read at cookie 0
  bool listed = false;
};

class FdTable {
 public:
  // The first guest fd after stdio, and how many files path_open may hold open at once.
  static constexpr uint32_t kFirstFd = 3;
  static constexpr size_t kMaxOpen = 128;

  // Opens each directory as the next fd from kFirstFd; a missing one is kNotFound.
  Result<void> preopen(const std::vector<Preopen>& dirs);
  // The open file `fd` names, or null.
  OpenFile* find(uint32_t fd);
  // The lowest free fd now holding `file`, or nullopt when kMaxOpen files are open.
  std::optional<uint32_t> add(OpenFile file);
  // False when `fd` is not open.
  bool close(uint32_t fd);
  // True when the run was given directories: without, the guest has no file system and
  // its file-system calls return ENOTCAPABLE, as every lmp before --wasm-dir did.
  bool lent() const { return lent_; }

 private:
  std::map<uint32_t, OpenFile> files_;
  size_t opened_ = 0;  // entries added by path_open
  bool lent_ = false;
};

struct Guest;

// The fd >= 3 halves of fd_read, fd_seek, fd_close and fd_fdstat_get (wasi.cpp serves
// stdio); each returns a WASI errno.
uint32_t fs_read(Guest& g, uint32_t fd, uint32_t iovs, uint32_t count, uint32_t read_ptr);
uint32_t fs_seek(Guest& g, uint32_t fd, int64_t offset, uint32_t whence, uint32_t result_ptr);
uint32_t fs_close(Guest& g, uint32_t fd);
uint32_t fs_fdstat_get(Guest& g, uint32_t fd, uint32_t stat);

}  // namespace lmp::wasm
