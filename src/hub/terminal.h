// Asking the user on the terminal (/dev/tty), for `lmp-hub user add` without
// --password-stdin.
#pragma once

#include <string>

#include "common/result.h"

namespace lmp::hub {

// Prints "QUESTION: " on /dev/tty and reads one line; `secret` turns echo off meanwhile.
// kUsage when there is no terminal (the hint names --password-stdin).
Result<std::string> ask_terminal(const std::string& question, bool secret);

}  // namespace lmp::hub
