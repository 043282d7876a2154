#include "common/file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "common/unique_fd.h"

namespace lmp {
namespace {

std::string errno_text(int err) {
  return std::strerror(err);
}

}  // namespace

Result<std::string> read_file(const std::filesystem::path& path, std::size_t max_bytes) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) {
    int err = errno;
    return fail(err == ENOENT ? ExitCode::kNotFound : ExitCode::kFailure,
                "cannot open " + path.string() + ": " + errno_text(err));
  }
  struct stat st {};
  if (::fstat(fd.get(), &st) == 0 && S_ISDIR(st.st_mode)) {
    return fail(ExitCode::kFailure, path.string() + " is a directory, expected a file");
  }
  std::string data;
  char buf[65536];
  for (;;) {
    ssize_t n = ::read(fd.get(), buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      return fail(ExitCode::kFailure, "cannot read " + path.string() + ": " + errno_text(errno));
    }
    if (n == 0) break;
    if (data.size() + static_cast<std::size_t>(n) > max_bytes) {
      return fail(ExitCode::kBadPackage,
                  path.string() + " is larger than " + std::to_string(max_bytes) + " bytes",
                  "check that this is the file you meant");
    }
    data.append(buf, static_cast<std::size_t>(n));
  }
  return data;
}

Result<void> write_file_atomic(const std::filesystem::path& path, std::string_view content,
                               unsigned mode) {
  std::filesystem::path dir = path.parent_path().empty() ? "." : path.parent_path();
  // Appended piece by piece: GCC 12 at -O3 reports a false -Wrestrict for "." + string&&.
  std::string name = ".";
  name += path.filename().string();
  name += ".tmp-XXXXXX";
  std::string tmpl = (dir / name).string();
  int raw = ::mkstemp(tmpl.data());
  if (raw < 0) {
    return fail(ExitCode::kFailure,
                "cannot create a file in " + dir.string() + ": " + errno_text(errno));
  }
  UniqueFd fd(raw);
  auto cleanup_fail = [&](const std::string& what) {
    int err = errno;
    ::unlink(tmpl.c_str());
    return fail(ExitCode::kFailure, what + " " + path.string() + ": " + errno_text(err));
  };
  std::size_t off = 0;
  while (off < content.size()) {
    ssize_t n = ::write(fd.get(), content.data() + off, content.size() - off);
    if (n < 0) {
      if (errno == EINTR) continue;
      return cleanup_fail("cannot write");
    }
    off += static_cast<std::size_t>(n);
  }
  if (::fchmod(fd.get(), mode) != 0 || ::fsync(fd.get()) != 0) return cleanup_fail("cannot sync");
  if (::close(fd.release()) != 0) return cleanup_fail("cannot close");
  if (::rename(tmpl.c_str(), path.c_str()) != 0) return cleanup_fail("cannot rename onto");
  return {};
}

}  // namespace lmp
