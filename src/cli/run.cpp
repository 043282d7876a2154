#include "cli/command.h"

namespace lmp::cli {

// Placeholder until the command is implemented.
Result<int> run_command(Args) { return fail(ExitCode::kFailure, "lmp run is not implemented yet"); }

}  // namespace lmp::cli
