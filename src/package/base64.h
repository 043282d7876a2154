// Standard base64 (RFC 4648, "+/" alphabet, "=" padding), as package.json's
// bpf_object uses.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace lmp::package {

// Encodes with padding and no line breaks.
std::string base64_encode(std::span<const uint8_t> bytes);

// Decodes; ASCII whitespace is skipped and the trailing padding may be left out.
// Errors (kBadPackage) name the offending offset, e.g.
// "invalid base64: unexpected character '*' at offset 12".
Result<std::vector<uint8_t>> base64_decode(std::string_view text);

}  // namespace lmp::package
