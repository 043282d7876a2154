#include <algorithm>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "cli/command.h"
#include "common/edit_distance.h"

namespace {

void print_usage(std::FILE* out) {
  std::fprintf(
      out,
      "Usage: lmp COMMAND [OPTIONS]\n\nbuild, share and run CO-RE eBPF programs\n\nCommands:\n");
  for (const auto& c : lmp::cli::commands()) {
    std::fprintf(out, "  %-14.*s %.*s\n", static_cast<int>(c.name.size()), c.name.data(),
                 static_cast<int>(c.summary.size()), c.summary.data());
  }
  std::fprintf(out, "\nRun 'lmp COMMAND --help' for more on a command.\n");
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    print_usage(stderr);
    return static_cast<int>(lmp::ExitCode::kUsage);
  }
  std::string_view name = argv[1];
  if (name == "-h" || name == "--help" || name == "help") {
    print_usage(stdout);
    return 0;
  }
  if (name == "--version" || name == "version") {
    std::printf("lmp %s\n", LMP_VERSION);
    return 0;
  }
  for (const auto& c : lmp::cli::commands()) {
    if (c.name != name) continue;
    auto result = c.run(lmp::cli::Args(argv + 1, static_cast<std::size_t>(argc - 1)));
    if (!result) {
      lmp::cli::report_error(result.error());
      return static_cast<int>(result.error().code);
    }
    return *result;
  }
  std::string best;
  std::size_t best_distance = 3;
  for (const auto& c : lmp::cli::commands()) {
    std::size_t d = lmp::edit_distance(name, c.name);
    if (d < best_distance) best_distance = d, best = c.name;
  }
  std::fprintf(stderr, "error: unknown command '%s'", argv[1]);
  if (!best.empty()) std::fprintf(stderr, " (did you mean '%s'?)", best.c_str());
  std::fprintf(stderr, "; run 'lmp --help' for the list\n");
  return static_cast<int>(lmp::ExitCode::kUsage);
}
