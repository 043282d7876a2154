#include "cli/command.h"

namespace lmp::cli {

// Placeholder until the command is implemented.
Result<int> init_command(Args) { return fail(ExitCode::kFailure, "lmp init is not implemented yet"); }

}  // namespace lmp::cli
