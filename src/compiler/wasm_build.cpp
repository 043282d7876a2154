#include "compiler/wasm_build.h"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include <nlohmann/json.hpp>

#include "common/file.h"
#include "common/log.h"
#include "compiler/clang_driver.h"
#include "compiler/str_cat.h"

extern char** environ;

namespace lmp::compiler {
namespace {

namespace fs = std::filesystem;

// wasi-libc as Debian installs it: the sysroot clang uses for --target=wasm32-wasi.
constexpr const char* kWasiInclude = "/usr/include/wasm32-wasi";
constexpr const char* kWasiLibc = "/usr/lib/wasm32-wasi/libc.a";

// Runs `argv` and returns its stdout without the trailing newline; stderr is discarded.
// Empty when it cannot run or fails.
std::string capture(const std::vector<std::string>& argv) {
  int pipe_fds[2];
  if (pipe2(pipe_fds, O_CLOEXEC) != 0) return "";
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, pipe_fds[1], 1);
  posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = 0;
  int err = posix_spawnp(&pid, args[0], &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  close(pipe_fds[1]);
  std::string out;
  if (err == 0) {
    char buffer[4096];
    for (;;) {
      ssize_t n = read(pipe_fds[0], buffer, sizeof(buffer));
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;
      out.append(buffer, static_cast<std::size_t>(n));
    }
  }
  close(pipe_fds[0]);
  if (err != 0) return "";
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) return "";
  while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
  return out;
}

bool path_exists(const fs::path& path) {
  std::error_code ec;
  return fs::exists(path, ec);
}

}  // namespace

Result<fs::path> find_wasm_toolchain() {
  auto clang = find_clang();
  if (!clang) {
    return fail(ExitCode::kBuild, "clang is not installed; lmp build-wasm needs it",
                "install the Debian package `clang` (apt-get install clang), or set LMP_CLANG");
  }
  if (!path_exists(fs::path(kWasiInclude) / "stdio.h") || !path_exists(kWasiLibc)) {
    return fail(ExitCode::kBuild, str_cat("wasi-libc is not installed (no ", kWasiLibc, ")"),
                "install the Debian package `wasi-libc` (apt-get install wasi-libc)");
  }
  std::string target = "--target=wasm32-wasi";
  fs::path linker = capture({clang->string(), target, "-print-prog-name=wasm-ld"});
  if (!linker.is_absolute() || !path_exists(linker)) {
    return fail(ExitCode::kBuild, "wasm-ld (the WebAssembly linker) is not installed",
                "install the Debian package `lld` (apt-get install lld)");
  }
  fs::path builtins = capture({clang->string(), target, "-print-libgcc-file-name"});
  if (builtins.empty() || !path_exists(builtins)) {
    std::string version = capture({clang->string(), "-dumpversion"});
    std::string major = version.substr(0, version.find('.'));
    if (major.empty()) major = "N";
    return fail(
        ExitCode::kBuild,
        str_cat("clang's wasm32 runtime library is not installed (",
                builtins.empty() ? "libclang_rt.builtins-wasm32.a" : builtins.string(), ")"),
        str_cat("install the Debian package `libclang-rt-", major,
                "-dev-wasm32` (apt-get install libclang-rt-", major, "-dev-wasm32)"));
  }
  return *clang;
}

Result<std::vector<fs::path>> wasm_sources(const fs::path& dir) {
  if (!path_exists(dir / "app.c")) {
    return fail(ExitCode::kNotFound, str_cat("no app.c in ", dir.string()),
                "run `lmp gen-wasm-skel` there first to write one");
  }
  std::vector<fs::path> sources = {dir / "app.c"};
  fs::path config_path = dir / "config.json";
  if (!path_exists(config_path)) return sources;
  std::string text = LMP_TRY(read_file(config_path));
  auto bad = [&](std::string_view what) {
    return fail(ExitCode::kBadPackage, str_cat(config_path.string(), ": ", what),
                R"(list the other C files of the user space as "wasm": {"sources": ["a.c"]})");
  };
  auto config = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (config.is_discarded()) return bad("not valid JSON");
  if (!config.is_object() || !config.contains("wasm")) return sources;
  const auto& wasm = config["wasm"];
  if (!wasm.is_object()) return bad("\"wasm\" is not an object");
  if (!wasm.contains("sources")) return sources;
  if (!wasm["sources"].is_array()) return bad("\"wasm.sources\" is not an array of file names");
  for (const auto& item : wasm["sources"]) {
    if (!item.is_string() || item.get<std::string>().empty())
      return bad("\"wasm.sources\" is not an array of file names");
    fs::path relative = item.get<std::string>();
    if (relative.is_absolute())
      return bad(str_cat(relative.string(), " is not relative to ", dir.string()));
    fs::path source = dir / relative;
    std::error_code ec;
    if (!fs::is_regular_file(source, ec))
      return fail(ExitCode::kNotFound,
                  str_cat("no ", source.string(), " (named in ", config_path.string(), ")"));
    if (relative.lexically_normal() == "app.c") continue;
    if (std::find(sources.begin(), sources.end(), source) == sources.end())
      sources.push_back(source);
  }
  return sources;
}

std::vector<std::string> wasm_compile_command(const fs::path& clang, const fs::path& dir,
                                              const std::vector<fs::path>& sources,
                                              const fs::path& output) {
  // -nostdlibinc: wasi-libc's headers, never the host's /usr/include.
  std::vector<std::string> argv = {clang.string(), "--target=wasm32-wasi", "-O2",
                                   "-Wall",        "-nostdlibinc",         "-idirafter",
                                   kWasiInclude,   "-I" + dir.string(),    "-Wl,--export-table"};
  for (const auto& s : sources) argv.push_back(s.string());
  argv.insert(argv.end(), {"-o", output.string()});
  return argv;
}

Result<fs::path> build_wasm(const fs::path& dir) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) {
    return fail(ExitCode::kNotFound, str_cat(dir.string(), " is not a directory"),
                "give the project directory (default: .)");
  }
  std::vector<fs::path> sources = LMP_TRY(wasm_sources(dir));
  fs::path clang = LMP_TRY(find_wasm_toolchain());
  fs::path output = dir / "app.wasm";
  fs::path temp = dir / str_cat(".app.wasm.tmp-", getpid());
  std::vector<std::string> argv = wasm_compile_command(clang, dir, sources, temp);
  if (log::debug_enabled()) {
    std::string line = "running:";
    for (const auto& a : argv) line += " " + a;
    log::debug(line);
  }
  auto status = run_process(argv);
  if (!status || *status != 0) {
    fs::remove(temp, ec);
    if (!status) return std::unexpected(status.error());
    return fail(ExitCode::kBuild,
                str_cat("clang failed to compile ", dir.string(), "'s C sources for wasm32-wasi"),
                "see clang's messages above");
  }
  fs::rename(temp, output, ec);
  if (ec) {
    std::string reason = ec.message();
    fs::remove(temp, ec);
    return fail(ExitCode::kFailure, str_cat("cannot write ", output.string(), ": ", reason));
  }
  return output;
}

}  // namespace lmp::compiler
