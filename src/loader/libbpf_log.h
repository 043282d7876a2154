// libbpf's own messages: shown as lmp debug output with -v, and always kept (the last
// lines, plus the last program load log) so a failure can be explained without -v.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace lmp::loader {

// Installs the libbpf print callback. With `verbose`, every line also goes to log::debug.
void install_libbpf_log(bool verbose);

// The last ~40 lines libbpf printed, oldest first, without the "libbpf: " prefix.
std::vector<std::string> recent_libbpf_lines();

// The verifier log of the last program the kernel refused to load.
struct ProgramLoadLog {
  std::string program;
  std::vector<std::string> lines;
};
std::optional<ProgramLoadLog> last_program_load_log();

// The name of the last program libbpf reported as failing to load ("prog 'x': failed to
// load"), if any.
std::optional<std::string> last_failed_program();

// Forgets everything collected so far.
void clear_libbpf_log();

}  // namespace lmp::loader
