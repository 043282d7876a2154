#include "wasm/native_compiler.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <random>
#include <sstream>
#include <thread>

#include <sodium.h>

#include "common/file.h"
#include "common/log.h"
#include "wasm/stop_checks.h"

extern char** environ;

namespace lmp::wasm {
namespace fs = std::filesystem;
namespace {

constexpr const char* kRuntimeDir = "/usr/share/wabt/wasm2c";
// Flags of every object. Explicit bounds checks (no guard pages and no SIGSEGV handler in
// lmp's process) and wasm-rt's call depth limit; symbols hidden but the glue's entry points.
const std::vector<std::string> kFlags{"-O2",
                                      "-fPIC",
                                      "-shared",
                                      "-fvisibility=hidden",
                                      "-w",
                                      "-DWASM_RT_MEMCHECK_SIGNAL_HANDLER=0",
                                      "-DWASM_RT_USE_STACK_DEPTH_COUNT=1",
                                      "-DWASM_RT_MAX_CALL_STACK_DEPTH=1000"};
// Bumped whenever the glue changes what it generates.
constexpr const char* kGlueVersion = "lmp-native-glue-3";

// `name` looked up in PATH, or empty.
fs::path find_in_path(const std::string& name) {
  const char* path = std::getenv("PATH");
  std::stringstream dirs(path ? path : "/usr/bin:/bin");
  for (std::string dir; std::getline(dirs, dir, ':');) {
    fs::path candidate = fs::path(dir.empty() ? "." : dir) / name;
    if (access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  return {};
}

fs::path compiler() {
  const char* cc = std::getenv("CC");
  if (cc && *cc) return find_in_path(cc);
  return find_in_path("cc");
}

// What identifies an installed file: its real path, size and modification time.
std::string identity(const fs::path& path) {
  std::error_code ec;
  fs::path real = fs::canonical(path, ec);
  struct stat st {};
  if (ec || stat(real.c_str(), &st) != 0) return path.string();
  return real.string() + ":" + std::to_string(st.st_size) + ":" + std::to_string(st.st_mtime);
}

std::string sha256_hex(std::string_view data) {
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(digest, reinterpret_cast<const unsigned char*>(data.data()), data.size());
  static const char* hex = "0123456789abcdef";
  std::string out;
  for (unsigned char b : digest) out += {hex[b >> 4], hex[b & 15]};
  return out;
}

// The status spawn returns for a tool it killed because a stop was requested.
constexpr int kStoppedStatus = -1;

// Runs `argv` with stdout and stderr into `log`; its exit status (128 + signal when killed),
// or kStoppedStatus when `stop` turned true first (the tool is then killed).
int spawn(const std::vector<std::string>& argv, const fs::path& log,
          const std::function<bool()>& stop) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  posix_spawn_file_actions_adddup2(&actions, 1, 2);
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = 0;
  int rc = posix_spawn(&pid, args[0], &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) return 127;
  int status = 0;
  for (;;) {
    pid_t done = waitpid(pid, &status, stop ? WNOHANG : 0);
    if (done == pid) break;
    if (done < 0 && errno != EINTR) return 127;
    if (stop && stop()) {
      kill(pid, SIGKILL);
      while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
      }
      return kStoppedStatus;
    }
    if (stop) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

// The last lines of a tool's output, for an error message on one line.
std::string tail(const fs::path& log) {
  std::ifstream in(log);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);)
    if (!line.empty()) lines.push_back(line);
  std::string text;
  for (size_t i = lines.size() > 3 ? lines.size() - 3 : 0; i < lines.size(); ++i)
    text += (text.empty() ? "" : "; ") + lines[i];
  return text.empty() ? "no output" : text;
}

// A directory removed with everything in it when this goes out of scope.
class ScratchDir {
 public:
  explicit ScratchDir(const fs::path& parent) {
    std::string pattern = (parent / ".build-XXXXXX").string();
    if (mkdtemp(pattern.data())) path_ = pattern;
  }
  ~ScratchDir() {
    std::error_code ec;
    if (!path_.empty()) fs::remove_all(path_, ec);
  }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

// A temporary name beside `final` that no other process uses.
fs::path temporary_beside(const fs::path& final) {
  std::random_device random;
  return final.string() + ".tmp." + std::to_string(getpid()) + "." + std::to_string(random());
}

// Refuses what another local user could change, since lmp loads it as code: `path` must
// belong to this user or root and not be writable by group or others.
Result<void> check_private(const fs::path& path) {
  struct stat st {};
  if (lstat(path.c_str(), &st) != 0)
    return fail(ExitCode::kFailure, "cannot inspect " + path.string() + ": " + strerror(errno));
  bool foreign = st.st_uid != geteuid() && st.st_uid != 0;
  if (S_ISLNK(st.st_mode) || foreign || (st.st_mode & (S_IWGRP | S_IWOTH)) != 0)
    return fail(ExitCode::kFailure,
                "unsafe wasm cache: " + path.string() +
                    " is a symbolic link, another user's, or writable by group or others",
                "lmp loads compiled modules from it as code; fix it, remove it, or set LMP_HOME");
  return {};
}

// Creates the cache directory (mode 0755 whatever the umask) and checks it.
Result<void> open_cache_dir(const fs::path& dir) {
  std::error_code ec;
  if (fs::create_directories(dir, ec)) fs::permissions(dir, fs::perms(0755), ec);
  if (ec) return fail(ExitCode::kFailure, "cannot create " + dir.string() + ": " + ec.message());
  return check_private(dir);
}

// Removes what killed compiles left in the cache: temporary objects and build directories
// older than an hour (a younger one may belong to a compile that is still running).
void remove_stale_temporaries(const fs::path& dir) {
  std::error_code ec;
  auto old = fs::file_time_type::clock::now() - std::chrono::hours(1);
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    std::string name = entry.path().filename().string();
    if (name.find(".so.tmp.") == std::string::npos && !name.starts_with(".build-")) continue;
    std::error_code entry_ec;
    auto written = fs::last_write_time(entry.path(), entry_ec);
    if (entry_ec || written > old) continue;
    fs::remove_all(entry.path(), entry_ec);
    if (!entry_ec) log::debug("removed a killed compile's " + entry.path().string());
  }
}

// Ends the progress line: with " failed" unless the compile succeeded.
class ProgressLine {
 public:
  ProgressLine(std::ostream& err, bool shown) : err_(err), shown_(shown) {}
  ~ProgressLine() {
    if (shown_) err_ << " failed\n" << std::flush;
  }
  ProgressLine(const ProgressLine&) = delete;
  ProgressLine& operator=(const ProgressLine&) = delete;
  void succeeded(const std::string& text) {
    if (shown_) err_ << text << std::flush;
    shown_ = false;
  }

 private:
  std::ostream& err_;
  bool shown_;
};

}  // namespace

bool native_toolchain_found() {
  return !compiler().empty() && !find_in_path("wasm2c").empty() &&
         access((fs::path(kRuntimeDir) / "wasm-rt-impl.c").c_str(), R_OK) == 0;
}

Result<NativeObject> compile_native(std::span<const uint8_t> wasm,
                                    const std::vector<ImportName>& imports,
                                    const NativeCompile& request, std::ostream& err) {
  fs::path cc = compiler(), wasm2c = find_in_path("wasm2c");
  if (cc.empty() || wasm2c.empty() ||
      access((fs::path(kRuntimeDir) / "wasm-rt-impl.c").c_str(), R_OK) != 0)
    return fail(ExitCode::kFailure, "the compiled wasm engine needs wasm2c and a C compiler",
                "apt-get install wabt gcc, or run with --wasm-engine=interp");
  if (sodium_init() < 0) return fail(ExitCode::kFailure, "cannot initialise libsodium");
  std::string key_text(reinterpret_cast<const char*>(wasm.data()), wasm.size());
  key_text += std::string("\n") + LMP_WASM_VERSION + "\n" + kGlueVersion + "\n" + identity(cc) +
              "\n" + identity(wasm2c) + "\n" + identity(fs::path(kRuntimeDir) / "wasm-rt-impl.c");
  for (const auto& flag : kFlags) key_text += "\n" + flag;
  NativeObject object{request.cache_dir / (sha256_hex(key_text) + ".so"), false};
  std::error_code ec;
  LMP_CHECK(open_cache_dir(request.cache_dir));
  if (fs::exists(object.path, ec)) {
    LMP_CHECK(check_private(object.path));
    object.cache_hit = true;
    return object;
  }
  remove_stale_temporaries(request.cache_dir);

  auto started = std::chrono::steady_clock::now();
  if (request.show_progress)
    err << "compiling " << request.label << " to native code, once..." << std::flush;
  ProgressLine progress(err, request.show_progress);
  ScratchDir scratch(request.cache_dir);
  if (scratch.path().empty())
    return fail(ExitCode::kFailure, "cannot create a directory in " + request.cache_dir.string());
  const fs::path& dir = scratch.path();
  std::optional<StopCheckedModule> checked = add_stop_checks(wasm, /*export_internals=*/true);
  if (!checked) log::debug("the module is compiled without stop checks (nested too deeply)");
  std::span<const uint8_t> source = checked ? std::span<const uint8_t>(checked->wasm) : wasm;
  LMP_CHECK(write_file_atomic(
      dir / "module.wasm",
      std::string_view(reinterpret_cast<const char*>(source.data()), source.size())));
  fs::path log = dir / "log";
  auto stopped = [] { return fail(ExitCode::kFailure, "stopped while compiling the module"); };
  int status = spawn({wasm2c.string(), (dir / "module.wasm").string(), "-n", "app", "-o",
                      (dir / "app.c").string()},
                     log, request.stop_requested);
  if (status == kStoppedStatus) return stopped();
  if (status != 0)
    return fail(ExitCode::kFailure, "wasm2c cannot translate the module: " + tail(log));
  std::string header = LMP_TRY(read_file(dir / "app.h", 64u << 20));
  std::string glue = LMP_TRY(native_glue(header, imports));
  LMP_CHECK(write_file_atomic(dir / "glue.c", glue));

  fs::path temporary = temporary_beside(object.path);
  std::vector<std::string> argv{cc.string()};
  argv.insert(argv.end(), kFlags.begin(), kFlags.end());
  argv.insert(argv.end(), {"-I", dir.string(), "-I", kRuntimeDir, "-o", temporary.string(),
                           (dir / "glue.c").string(),
                           (fs::path(kRuntimeDir) / "wasm-rt-impl.c").string(), "-lm"});
  status = spawn(argv, log, request.stop_requested);
  if (status != 0) {
    fs::remove(temporary, ec);
    if (status == kStoppedStatus) return stopped();
    return fail(ExitCode::kFailure, "the C compiler cannot compile the module: " + tail(log));
  }
  if (std::rename(temporary.c_str(), object.path.c_str()) != 0) {
    fs::remove(temporary, ec);
    return fail(ExitCode::kFailure, "cannot write " + object.path.string());
  }
  auto took = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  char text[64];
  std::snprintf(text, sizeof text, " %.1f s\n", took);
  progress.succeeded(text);
  log::debug("compiled to " + object.path.string() + " in" + std::string(text, strlen(text) - 1));
  return object;
}

}  // namespace lmp::wasm
