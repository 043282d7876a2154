// lmp's entry point: the global options (before the command), then one command of the table
// in command.cpp, which parses the rest of the line itself.
#include <CLI/CLI.hpp>

#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "cli/command.h"
#include "common/edit_distance.h"
#include "common/log.h"

namespace {

using lmp::ExitCode;
using lmp::Result;

// CLI11 would write "Usage: lmp [OPTIONS]"; the command and its arguments follow them.
class MainFormatter : public CLI::Formatter {
 public:
  std::string make_usage(const CLI::App*, std::string name) const override {
    return "Usage: " + name + " [OPTIONS] COMMAND [ARGS...]\n";
  }
};

std::string command_table() {
  std::string text = "Commands:\n";
  for (const auto& c : lmp::cli::commands()) {
    std::string name(c.name);
    text += "  " + name + std::string(name.size() < 15 ? 15 - name.size() : 1, ' ');
    text += std::string(c.summary) + "\n";
  }
  return text + "\nRun 'lmp COMMAND --help' or 'lmp help COMMAND' for more on a command.";
}

const lmp::cli::Command* find_command(std::string_view name) {
  for (const auto& c : lmp::cli::commands())
    if (c.name == name) return &c;
  return nullptr;
}

// "unknown command 'x' (did you mean 'y'?)" as a usage error.
lmp::Error unknown_command(std::string_view name) {
  std::string best;
  std::size_t best_distance = 3;
  for (const auto& c : lmp::cli::commands()) {
    std::size_t d = lmp::edit_distance(name, c.name);
    if (d < best_distance) best_distance = d, best = c.name;
  }
  std::string message = "unknown command '" + std::string(name) + "'";
  if (!best.empty()) message += " (did you mean '" + best + "'?)";
  return lmp::Error{ExitCode::kUsage, message, "run 'lmp --help' for the list"};
}

// Parses the global options; runs the command named after them with the rest of the line.
Result<int> run_main(int argc, char** argv) {
  CLI::App app{"build, share and run CO-RE eBPF programs", "lmp"};
  app.formatter(std::make_shared<MainFormatter>());
  app.prefix_command();  // the first word that is not a global option is the command
  app.footer(command_table());
  bool verbose = false;
  std::string level;
  app.set_version_flag("--version", std::string("lmp ") + LMP_VERSION, "print lmp's version");
  app.add_flag("-v,--verbose", verbose, "print debug messages (--log-level debug)");
  app.add_option("--log-level", level, "debug | info (default) | warn | error | quiet")
      ->type_name("LEVEL");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (dynamic_cast<const CLI::CallForVersion*>(&e)) return app.exit(e);
    return lmp::cli::parse_error(app, e);  // --help too
  }
  if (!level.empty()) {
    auto parsed = lmp::log::parse_level(level);
    if (!parsed)
      return lmp::fail(ExitCode::kUsage, "--log-level: '" + level + "' is not a level",
                       "use debug, info, warn, error or quiet");
    lmp::log::set_level(*parsed);
  }
  if (verbose) lmp::log::set_level(lmp::log::Level::kDebug);

  // CLI11 leaves the command and everything after it, in order: argv's tail from there.
  std::size_t rest = app.remaining_size();
  if (rest == 0) {
    std::fputs(app.help().c_str(), stderr);
    return static_cast<int>(ExitCode::kUsage);
  }
  char** words = argv + (argc - static_cast<int>(rest));
  std::string_view name = words[0];
  if (name.starts_with("-"))
    return lmp::fail(ExitCode::kUsage, "unknown global option '" + std::string(name) + "'",
                     "a command's options go after the command: lmp COMMAND --help");
  if (name == "version") {
    std::printf("lmp %s\n", LMP_VERSION);
    return 0;
  }
  if (name == "__complete")  // hidden: what the shell completion scripts ask
    return lmp::cli::complete_command(lmp::cli::Args(words, rest));
  if (name == "help") {  // `lmp help CMD` is `lmp CMD --help`
    if (rest == 1) {
      lmp::cli::print_help(app.help());
      return 0;
    }
    const auto* command = find_command(words[1]);
    if (!command) return std::unexpected(unknown_command(words[1]));
    std::vector<char*> help_args = {words[1], const_cast<char*>("--help")};
    return command->run(lmp::cli::Args(help_args));
  }
  const auto* command = find_command(name);
  if (!command) return std::unexpected(unknown_command(name));
  return command->run(lmp::cli::Args(words, rest));
}

}  // namespace

int main(int argc, char** argv) {
  auto result = run_main(argc, argv);
  if (!result) {
    lmp::cli::report_error(result.error());
    return static_cast<int>(result.error().code);
  }
  return *result;
}
