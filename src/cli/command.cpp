#include "cli/command.h"

#include <array>
#include <cstdio>

namespace lmp::cli {

std::span<const Command> commands() {
  static constexpr std::array kCommands = {
      Command{"run", "run an eBPF package: lmp run [OPTIONS] REF [PROGRAM ARGS...]", run_command},
      Command{"build", "compile FILE.bpf.c into a portable package.json", build_command},
      Command{"init", "create a new eBPF project from a template", init_command},
  };
  return kCommands;
}

void report_error(const Error& error) {
  std::string line = "error: " + error.message;
  if (!error.hint.empty()) line += " (" + error.hint + ")";
  line += "\n";
  std::fputs(line.c_str(), stderr);
}

}  // namespace lmp::cli
