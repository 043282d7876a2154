// Text from outside lmp (repositories, hubs, registries, the cache's files, events) made
// safe for a terminal: nothing it contains can move the cursor, recolour or retitle it.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace lmp {

// Appends `bytes`, all of them (NUL included). Valid UTF-8 is kept; control bytes, DEL and
// C1 controls (U+0080..U+009F, which some terminals obey) and
// invalid UTF-8 bytes are written as the four characters \xNN. With `json`, the output is
// also safe inside a JSON string literal (" and \ escaped, and the \ of \xNN doubled).
void append_escaped(std::string& out, std::span<const std::uint8_t> bytes, bool json = false);

// append_escaped() into a new string: the form to print text from outside.
std::string escape_text(std::string_view text);

// The same, but '\n' is kept (multi-line text such as a package's option help).
std::string escape_lines(std::string_view text);

}  // namespace lmp
