#include "loader/trace_pipe.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "loader/tracefs.h"

namespace lmp::loader {

Result<TracePipe> TracePipe::open() {
  LMP_CHECK(ensure_tracefs());
  std::string path = tracefs_dir() + "/trace_pipe";
  int fd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) {
    int err = errno;
    return fail(err == EACCES || err == EPERM ? ExitCode::kPermission : ExitCode::kKernel,
                "cannot open " + path + ": " + std::strerror(err),
                "--trace-pipe needs root and tracefs");
  }
  return TracePipe(UniqueFd(fd));
}

TracePipe::TracePipe(UniqueFd fd) : fd_(std::move(fd)) {
  int flags = fcntl(fd_.get(), F_GETFL);
  if (flags >= 0) fcntl(fd_.get(), F_SETFL, flags | O_NONBLOCK);
}

void TracePipe::drain(const std::function<void(std::string_view line)>& on_line) {
  char buffer[8192];
  std::size_t total = 0;
  while (total < kMaxDrainBytes) {
    ssize_t n = ::read(fd_.get(), buffer, sizeof(buffer));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;  // EAGAIN: nothing more now
    total += static_cast<std::size_t>(n);
    partial_.append(buffer, static_cast<std::size_t>(n));
    std::size_t start = 0;
    for (std::size_t nl; (nl = partial_.find('\n', start)) != std::string::npos; start = nl + 1)
      on_line(std::string_view(partial_).substr(start, nl - start));
    partial_.erase(0, start);
  }
}

}  // namespace lmp::loader
