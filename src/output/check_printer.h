// `lmp check`'s checklist as text (docs/check.md): one line per check, a mark (✔ passed,
// ✘ failed, – skipped), its title, then the reason and, for failed or skipped checks, the
// hint indented below; a summary line last. Colour (green/red/yellow marks) only when asked.
#pragma once

#include <string>

#include "package/check_report.h"

namespace lmp::output {

// The whole checklist. Values come from packages and the kernel: control characters are
// escaped.
std::string render_check_report(const package::CheckReport& report, bool color);

}  // namespace lmp::output
