#include "registry/git_fetch.h"

#include <fcntl.h>
#include <spawn.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "common/file.h"
#include "common/text_escape.h"
#include "common/unique_fd.h"
#include "package/config.h"
#include "registry/cache_reference.h"
#include "registry/digest.h"

extern char** environ;

namespace lmp::registry {
namespace {

namespace fs = std::filesystem;

constexpr std::uintmax_t kMaxFileBytes = 64ull << 20;

// A directory removed with everything in it when this goes out of scope.
class TempDir {
 public:
  explicit TempDir(fs::path path) : path_(std::move(path)) {}
  ~TempDir() {
    std::error_code ec;
    if (!path_.empty()) fs::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

// The last non-empty line of `text`.
std::string last_line(const std::string& text) {
  std::size_t end = text.find_last_not_of("\n\r ");
  if (end == std::string::npos) return "";
  std::size_t begin = text.rfind('\n', end);
  begin = begin == std::string::npos ? 0 : begin + 1;
  return text.substr(begin, end - begin + 1);
}

// Runs git with `args`, stdin from /dev/null, stdout discarded, stderr collected (at most
// 64 KiB kept). Returns git's exit status.
Result<std::pair<int, std::string>> run_git(std::vector<std::string> args) {
  int pipe_fds[2];
  if (::pipe2(pipe_fds, O_CLOEXEC) != 0)
    return fail(ExitCode::kFailure, std::string("pipe: ") + std::strerror(errno));
  UniqueFd err_read(pipe_fds[0]), err_write(pipe_fds[1]);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, err_write.get(), 2);

  std::vector<std::string> env_text;
  for (char** e = environ; *e; ++e) {
    std::string_view entry(*e);
    if (entry.starts_with("GIT_TERMINAL_PROMPT=") || entry.starts_with("GIT_ASKPASS=") ||
        entry.starts_with("SSH_ASKPASS=") || entry.starts_with("LC_ALL="))
      continue;
    env_text.emplace_back(entry);
  }
  // No password prompt (lmp may run unattended) and git's messages in English (they are shown).
  env_text.insert(env_text.end(), {"GIT_TERMINAL_PROMPT=0", "GIT_ASKPASS=/bin/false",
                                   "SSH_ASKPASS=/bin/false", "LC_ALL=C"});
  std::vector<char*> env;
  for (auto& e : env_text) env.push_back(e.data());
  env.push_back(nullptr);
  args.insert(args.begin(), "git");
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);

  pid_t pid = -1;
  int rc = ::posix_spawnp(&pid, "git", &actions, nullptr, argv.data(), env.data());
  posix_spawn_file_actions_destroy(&actions);
  if (rc == ENOENT)
    return fail(ExitCode::kNotFound, "git is not installed: a git dependency needs it",
                "install git (apt-get install git)");
  if (rc != 0)
    return fail(ExitCode::kFailure, std::string("cannot start git: ") + std::strerror(rc));
  err_write.reset();
  std::string err;
  char buf[4096];
  for (;;) {
    ssize_t n = ::read(err_read.get(), buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    if (err.size() < 65536) err.append(buf, static_cast<std::size_t>(n));
  }
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return std::pair{code, std::move(err)};
}

}  // namespace

Result<CachedPackage> fetch_git_package(Cache& cache, const std::string& name,
                                        const std::string& url, const std::string& tag,
                                        const std::string& path) {
  std::string source = package::git_source_text(url, tag, path);
  std::string label = name + ": " + escape_text(source);
  std::string pattern =
      (cache.home() / "tmp" / ("dl-" + std::to_string(::getpid()) + "-git-XXXXXX")).string();
  if (!::mkdtemp(pattern.data()))
    return fail(ExitCode::kFailure, "cannot create a directory in " +
                                        (cache.home() / "tmp").string() + ": " +
                                        std::strerror(errno));
  TempDir work(pattern);
  fs::path checkout = work.path() / "repo";
  auto [code, err] =
      LMP_TRY(run_git({"-c", "advice.detachedHead=false", "clone", "--quiet", "--depth", "1",
                       "--no-tags", "--branch", tag, "--", url, checkout.string()}));
  if (code != 0) {
    std::string why = last_line(err);
    if (why.starts_with("fatal: ")) why = why.substr(7);
    return fail(ExitCode::kNetwork,
                label + ": git clone failed: " +
                    escape_text(why.empty() ? "exit " + std::to_string(code) : why),
                "check the repository URL and that tag " + tag + " exists");
  }
  fs::path dir = checkout / path;
  std::error_code ec;
  if (!fs::is_directory(dir, ec))
    return fail(ExitCode::kBadPackage, label + ": no directory '" + path + "' at tag " + tag,
                "fix the dependency's path");

  CachedPackage entry;
  entry.name = name;
  entry.source = std::string(kGitSourcePrefix) + source;
  entry.from_url = true;
  Cache::Fetched fetched;
  bool has_main = false;
  for (const char* file : kGitPackageFiles) {
    fs::path from = dir / file;
    // Only regular files: a symlink in a repository could point anywhere on this machine.
    if (!fs::is_regular_file(fs::symlink_status(from, ec))) continue;
    std::uintmax_t size = fs::file_size(from, ec);
    if (ec || size > kMaxFileBytes)
      return fail(ExitCode::kBadPackage, label + ": " + file + " is larger than 64 MiB",
                  "a package file this large is not a package");
    TempFile temp = LMP_TRY(cache.temp_file());
    fs::copy_file(from, temp.path(), fs::copy_options::overwrite_existing, ec);
    if (ec) return fail(ExitCode::kFailure, label + ": cannot copy " + file + ": " + ec.message());
    FileEntry file_entry{file, LMP_TRY(sha256_file(temp.path())), size};
    if (std::string_view(file) == "config.json") {
      auto config = package::parse_config(LMP_TRY(read_file(temp.path())));
      if (!config) return fail(ExitCode::kBadPackage, label + ": " + config.error().message);
      entry.version = config->version;
    }
    if (std::string_view(file) != "config.json" && std::string_view(file) != "README.md" &&
        std::string_view(file) != "lmp.sig")
      has_main = true;
    fetched.emplace_back(std::move(temp), std::move(file_entry));
  }
  if (!has_main)
    return fail(ExitCode::kBadPackage,
                label + ": no package.json, package.yaml or app.wasm in '" +
                    (path.empty() ? std::string(".") : path) + "' at tag " + tag,
                "commit the built package (lmp build) to the repository, or fix the path");
  return cache.commit(std::move(entry), fetched);
}

}  // namespace lmp::registry
