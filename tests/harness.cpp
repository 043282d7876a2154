#include "harness.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <grp.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <fstream>
#include <thread>

namespace lmp::test {
namespace {

pid_t spawn(const std::vector<std::string>& argv, const RunOptions& options, int* out_fd,
            int* err_fd) {
  int out_pipe[2], err_pipe[2], in_pipe[2] = {-1, -1};
  if (pipe2(out_pipe, O_CLOEXEC) != 0 || pipe2(err_pipe, O_CLOEXEC) != 0) return -1;
  if (!options.input.empty()) {
    // The pipe buffer (64 KiB) holds the whole input, so writing it cannot block.
    if (pipe2(in_pipe, O_CLOEXEC) != 0) return -1;
    if (write(in_pipe[1], options.input.data(), options.input.size()) !=
        static_cast<ssize_t>(options.input.size()))
      return -1;
    close(in_pipe[1]);
  }
  pid_t pid = fork();
  if (pid == 0) {
    dup2(out_pipe[1], 1);
    dup2(err_pipe[1], 2);
    int input = in_pipe[0] >= 0 ? in_pipe[0] : open("/dev/null", O_RDONLY);
    dup2(input, 0);
    setpgid(0, 0);
    if (!options.cwd.empty() && chdir(options.cwd.c_str()) != 0) _exit(126);
    for (const auto& e : options.env) putenv(strdup(e.c_str()));
    if (options.as_nobody) {
      if (setgroups(0, nullptr) != 0 || setgid(65534) != 0 || setuid(65534) != 0) _exit(125);
    }
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    execvp(args[0], args.data());
    _exit(127);
  }
  close(out_pipe[1]);
  close(err_pipe[1]);
  if (in_pipe[0] >= 0) close(in_pipe[0]);
  fcntl(out_pipe[0], F_SETFL, O_NONBLOCK);
  fcntl(err_pipe[0], F_SETFL, O_NONBLOCK);
  *out_fd = out_pipe[0];
  *err_fd = err_pipe[0];
  return pid;
}

void drain(int fd, std::string& into) {
  char buf[65536];
  for (;;) {
    ssize_t n = read(fd, buf, sizeof buf);
    if (n <= 0) return;
    into.append(buf, static_cast<size_t>(n));
  }
}

int decode_status(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return -1;
}

std::vector<std::string> with_lmp(const std::vector<std::string>& args) {
  std::vector<std::string> argv{LMP_BINARY};
  argv.insert(argv.end(), args.begin(), args.end());
  return argv;
}

}  // namespace

std::filesystem::path source_dir() {
  return LMP_SOURCE_DIR;
}

Outcome run_program(const std::vector<std::string>& argv, const RunOptions& options) {
  Outcome outcome;
  int out_fd = -1, err_fd = -1;
  pid_t pid = spawn(argv, options, &out_fd, &err_fd);
  if (pid < 0) return outcome;
  auto deadline = std::chrono::steady_clock::now() + options.timeout;
  int status = 0;
  for (;;) {
    pollfd fds[2] = {{out_fd, POLLIN, 0}, {err_fd, POLLIN, 0}};
    poll(fds, 2, 50);
    drain(out_fd, outcome.out);
    drain(err_fd, outcome.err);
    if (waitpid(pid, &status, WNOHANG) == pid) break;
    if (std::chrono::steady_clock::now() > deadline) {
      kill(-pid, SIGKILL);
      waitpid(pid, &status, 0);
      outcome.err += "\n[harness: killed after timeout]";
      break;
    }
  }
  drain(out_fd, outcome.out);
  drain(err_fd, outcome.err);
  close(out_fd);
  close(err_fd);
  outcome.exit_code = decode_status(status);
  return outcome;
}

Outcome run_lmp(const std::vector<std::string>& args, const RunOptions& options) {
  return run_program(with_lmp(args), options);
}

Background::Background(const std::vector<std::string>& args, const RunOptions& options) {
  pid_ = spawn(with_lmp(args), options, &out_fd_, &err_fd_);
}

Background::Background(ProgramTag, const std::vector<std::string>& argv,
                       const RunOptions& options) {
  pid_ = spawn(argv, options, &out_fd_, &err_fd_);
}

std::unique_ptr<Background> Background::program(const std::vector<std::string>& argv,
                                                const RunOptions& options) {
  return std::unique_ptr<Background>(new Background(ProgramTag{}, argv, options));
}

Background::~Background() {
  if (pid_ > 0 && status_ == -1) {
    kill(-pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
  }
  if (out_fd_ >= 0) close(out_fd_);
  if (err_fd_ >= 0) close(err_fd_);
}

void Background::pump() {
  drain(out_fd_, out_);
  drain(err_fd_, err_);
}

bool Background::running() {
  if (status_ != -1) return false;
  int status = 0;
  if (waitpid(pid_, &status, WNOHANG) == pid_) {
    status_ = status;
    return false;
  }
  return true;
}

bool Background::wait_for(const std::function<bool(const std::string&)>& done,
                          std::chrono::milliseconds timeout, const std::function<void()>& action) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (action) action();
    std::this_thread::sleep_for(std::chrono::milliseconds(150));
    pump();
    if (done(out_)) return true;
    if (!running()) {
      pump();
      return done(out_);
    }
  }
  return false;
}

Outcome Background::stop(int sig) {
  Outcome outcome;
  if (running()) {
    kill(pid_, sig);
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (running() && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
      pump();
    }
    if (running()) {
      kill(-pid_, SIGKILL);
      waitpid(pid_, &status_, 0);
      err_ += "\n[harness: killed, did not stop on signal]";
    }
  }
  pump();
  outcome.exit_code = decode_status(status_);
  outcome.out = out_;
  outcome.err = err_;
  return outcome;
}

TempDir::TempDir() {
  std::string tmpl = (std::filesystem::temp_directory_path() / "lmp-it-XXXXXX").string();
  path_ = mkdtemp(tmpl.data());
  std::filesystem::permissions(path_, std::filesystem::perms::all);
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

bool bpf_available() {
  return geteuid() == 0 && std::filesystem::exists("/sys/kernel/btf/vmlinux");
}

std::filesystem::path build_package(const std::filesystem::path& dir,
                                    const std::filesystem::path& out_dir) {
  Outcome o = run_lmp({"build", dir.string(), "-o", out_dir.string()});
  EXPECT_EQ(o.exit_code, 0) << "lmp build " << dir << " failed:\n" << o.err;
  return out_dir / "package.json";
}

PackageSet::PackageSet(const std::filesystem::path& root, const std::vector<std::string>& names) {
  for (const std::string& name : names) {
    std::filesystem::path out = dir_.path() / name;
    Outcome o = run_lmp({"build", (root / name).string(), "-o", out.string()},
                        {.timeout = std::chrono::seconds(120)});
    if (o.exit_code == 0 && std::filesystem::exists(out / "package.json"))
      packages_[name] = out / "package.json";
    else
      errors_ += name + ": exit " + std::to_string(o.exit_code) + ": " + o.err + "\n";
  }
}

std::string PackageSet::path(const std::string& name) const {
  auto it = packages_.find(name);
  if (it == packages_.end()) {
    ADD_FAILURE() << "package " << name << " was not built:\n" << errors_;
    return "/nonexistent/" + name;
  }
  return it->second.string();
}

std::filesystem::path copy_binary(const std::filesystem::path& dir, const std::string& name,
                                  const char* from) {
  std::filesystem::path to = dir / name;
  std::filesystem::copy_file(from, to, std::filesystem::copy_options::overwrite_existing);
  std::filesystem::permissions(to, std::filesystem::perms::owner_all);
  return to;
}

std::string slurp(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

void spit(const std::filesystem::path& path, const std::string& text) {
  std::filesystem::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary) << text;
}

int free_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(fd);
  return ntohs(addr.sin_port);
}

}  // namespace lmp::test
