#include "cli/command.h"

namespace lmp::cli {

// Placeholder until the command is implemented.
Result<int> build_command(Args) { return fail(ExitCode::kFailure, "lmp build is not implemented yet"); }

}  // namespace lmp::cli
