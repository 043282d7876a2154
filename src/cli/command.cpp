#include "cli/command.h"

#include <unistd.h>

#include <CLI/CLI.hpp>

#include <array>
#include <cstdio>

#include "common/log.h"
#include "common/terminal.h"

namespace lmp::cli {

std::span<const Command> commands() {
  static constexpr std::array kCommands = {
      Command{"run", "run an eBPF package: lmp run [OPTIONS] REF [PROGRAM ARGS...]", run_command},
      Command{"build", "compile FILE.bpf.c into a portable package.json", build_command},
      Command{"init", "create a new eBPF project from a template", init_command},
      Command{"gen-wasm-skel", "write C sources for a WebAssembly user space (after lmp build)",
              gen_wasm_skel_command},
      Command{"build-wasm", "compile app.c into app.wasm for wasm32-wasi", build_wasm_command},
      Command{"pull", "download packages and their dependencies: lmp pull REF|DIR...",
              pull_command},
      Command{"lock", "resolve dependencies and write lmp.lock: lmp lock [DIR]", lock_command},
      Command{"list", "list the packages in the cache", list_command},
      Command{"rm", "remove packages from the cache: lmp rm REF...", rm_command},
      Command{"search", "search the repositories: lmp search WORDS...", search_command},
      Command{"info", "show a package's versions, programs, maps and options", info_command},
      Command{"check", "check whether a package will run on this kernel: lmp check REF",
              check_command},
      Command{"push", "upload a package to an OCI registry: lmp push [DIR] REF", push_command},
      Command{"login", "log in to a hub or an OCI registry: lmp login [HUB_URL | REGISTRY]",
              login_command},
      Command{"logout", "log out of a hub or an OCI registry: lmp logout [HUB_URL | REGISTRY]",
              logout_command},
      Command{"publish", "upload a built package to the hub: lmp publish [DIR]", publish_command},
      Command{"yank", "withdraw a published version: lmp yank NAME:VERSION [--undo]", yank_command},
      Command{"repo", "write a static repository: lmp repo build SRC_DIR OUT_DIR", repo_command},
      Command{"key", "make and show signing keys: lmp key generate|list|export", key_command},
      Command{"sign", "sign a built package: lmp sign [DIR] [--key NAME]", sign_command},
      Command{"trust", "choose the keys and mode lmp run verifies: lmp trust add|list|rm|verify",
              trust_command},
  };
  return kCommands;
}

void report_error(const Error& error) {
  std::string line = log::error_prefix() + error.message;
  if (!error.hint.empty()) line += " (" + error.hint + ")";
  line += "\n";
  std::fputs(line.c_str(), stderr);
}

void print_help(std::string_view text) {
  std::fputs(terminal::wrap_text(text, terminal::width(STDOUT_FILENO)).c_str(), stdout);
}

Result<int> parse_error(CLI::App& app, const CLI::ParseError& error) {
  if (error.get_exit_code() == 0) {  // --help, wrapped to the terminal's width
    print_help(app.help());
    return 0;
  }
  std::string message = error.what();
  for (char& c : message)
    if (c == '\n') c = ' ';
  while (!message.empty() && message.back() == ' ') message.pop_back();
  return fail(ExitCode::kUsage, message, "see " + app.get_name() + " --help");
}

}  // namespace lmp::cli
