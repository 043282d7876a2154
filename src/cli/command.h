// The table of lmp subcommands. Each command lives in its own file (run.cpp, build.cpp, ...)
// and is a thin layer over the modules.
#pragma once

#include <filesystem>
#include <span>
#include <string>
#include <string_view>

#include "common/result.h"

namespace CLI {
class App;
class ParseError;
}  // namespace CLI

namespace lmp::cli {

// Arguments after the subcommand name (argv[0] is the subcommand name itself).
using Args = std::span<char*>;

// A command returns the process exit code, or an Error that main() reports.
using CommandFn = Result<int> (*)(Args args);

struct Command {
  std::string_view name;
  std::string_view summary;  // one line for `lmp --help`
  CommandFn run;
};

std::span<const Command> commands();

// Compiles the WebAssembly module at `path` to native code into LMP_HOME/wasm-cache, once,
// so its first `lmp run` starts at once (pull and build-wasm). A failure is a warning, not
// an error: run compiles again or interprets.
void precompile_wasm(const std::filesystem::path& path);

// Prints an error as one line to stderr: "error: MESSAGE (HINT)" ("error:" in red on a
// colour terminal). Printed at every log level: it is the command's result.
void report_error(const Error& error);

// Prints a help text to stdout, its lines wrapped to the terminal's width (as they are
// when stdout is not a terminal).
void print_help(std::string_view text);

// What a command does with CLI11's parse error: --help prints the help (exit code 0); any
// other error becomes one usage error line (exit code 2) instead of CLI11's two lines.
Result<int> parse_error(CLI::App& app, const CLI::ParseError& error);

Result<int> run_command(Args args);
Result<int> build_command(Args args);
Result<int> init_command(Args args);
Result<int> gen_wasm_skel_command(Args args);
Result<int> build_wasm_command(Args args);
Result<int> pull_command(Args args);
Result<int> list_command(Args args);
Result<int> rm_command(Args args);
Result<int> search_command(Args args);
Result<int> info_command(Args args);
Result<int> check_command(Args args);
Result<int> repo_command(Args args);
Result<int> push_command(Args args);
Result<int> login_command(Args args);
Result<int> logout_command(Args args);
Result<int> publish_command(Args args);
Result<int> yank_command(Args args);
Result<int> lock_command(Args args);
Result<int> key_command(Args args);
Result<int> sign_command(Args args);
Result<int> trust_command(Args args);

// Signs the package in `dir` with `key_name` (a name in $LMP_HOME/keys or a key file's path;
// empty: the only key) and returns the lmp.sig written (`lmp sign`, `lmp build --sign`).
Result<std::filesystem::path> sign_package_dir(const std::filesystem::path& dir,
                                               const std::string& key_name);

// Resolves DIR/config.json's dependencies into the cache and writes DIR/lmp.lock when it
// changes (`lmp build` of a package with dependencies); a lock that matches config.json is
// followed when `keep_matching_lock`. Returns the number of locked packages.
Result<std::size_t> lock_package_dir(const std::filesystem::path& dir, bool keep_matching_lock);

// Hidden `lmp __complete names`: what the shell completion scripts (completions/) offer for a
// package reference: the bundled catalog's and local repositories' names, and cached names.
Result<int> complete_command(Args args);

}  // namespace lmp::cli
