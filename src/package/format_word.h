// The words a `/// @format WORD` doc comment on an event struct member may say, checked here
// so `lmp build` (compiler/) and the printers (output/value_format.h, which maps them to
// decoders) agree on one list. docs/values.md describes each.
#pragma once

#include <span>
#include <string>
#include <string_view>

#include "common/result.h"

namespace lmp::package {

// The bare words: raw, ipv4, ipv6, ip, port, errno, signal, syscall, flags, duration, ksym,
// kstack, ustack, hex. `flags` needs an argument (flags:open); `duration` takes one (duration:us);
// `errno` takes `ret` (errno:ret: a return value, where only negative values are errors).
std::span<const std::string_view> format_words();

// Units `duration:UNIT` accepts: ns, us, ms, s.
std::span<const std::string_view> duration_units();

// Ok when `word` is a valid format word. Else kBadPackage, "unknown @format 'WORD'" with a
// hint listing the valid words (or sets/units when only the argument is wrong).
Result<void> check_format_word(std::string_view word);

}  // namespace lmp::package
