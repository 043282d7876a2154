#include "loader/open_probe.h"

#include <bpf/libbpf.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <csignal>

namespace lmp::loader {
namespace {

// The child: libbpf quiet, crashes fatal (no sanitizer or lmp handler catches them), no core.
[[noreturn]] void open_in_child(std::span<const uint8_t> elf, const std::string& object_name,
                                const std::string& btf_path) {
  for (int sig : {SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT, SIGTRAP, SIGSYS})
    std::signal(sig, SIG_DFL);
  rlimit no_core{0, 0};
  setrlimit(RLIMIT_CORE, &no_core);
  libbpf_set_print(nullptr);
  LIBBPF_OPTS(bpf_object_open_opts, opts);
  opts.object_name = object_name.empty() ? nullptr : object_name.c_str();
  opts.btf_custom_path = btf_path.empty() ? nullptr : btf_path.c_str();
  bpf_object* object = bpf_object__open_mem(elf.data(), elf.size(), &opts);
  _exit(object ? 0 : 1);  // the object dies with the process
}

// Waits for `pid` up to `timeout` (a pidfd when the kernel has one, else without a limit).
bool wait_with_timeout(pid_t pid, std::chrono::milliseconds timeout, int& status) {
  int pidfd = static_cast<int>(syscall(SYS_pidfd_open, pid, 0));
  if (pidfd >= 0) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    int ready = 0;
    while (true) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      pollfd fd{pidfd, POLLIN, 0};
      ready = ::poll(&fd, 1, static_cast<int>(std::max<int64_t>(left.count(), 0)));
      if (ready >= 0 || errno != EINTR) break;
    }
    close(pidfd);
    if (ready == 0) {
      kill(pid, SIGKILL);
      while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
      }
      return false;
    }
  }
  while (waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) {
      status = 0;
      break;
    }
  }
  return true;
}

}  // namespace

ProbeResult probe_open(std::span<const uint8_t> elf, const std::string& object_name,
                       const std::string& btf_path, std::chrono::milliseconds timeout) {
  pid_t pid = fork();
  if (pid < 0) return {ProbeOutcome::kNotRun, 0};
  if (pid == 0) open_in_child(elf, object_name, btf_path);
  int status = 0;
  if (!wait_with_timeout(pid, timeout, status)) return {ProbeOutcome::kTimedOut, 0};
  if (WIFSIGNALED(status)) return {ProbeOutcome::kCrashed, WTERMSIG(status)};
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return {ProbeOutcome::kOpened, 0};
  return {ProbeOutcome::kRefused, 0};
}

}  // namespace lmp::loader
