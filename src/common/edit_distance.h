// Levenshtein distance, for "did you mean" suggestions.
#pragma once

#include <cstddef>
#include <string_view>

namespace lmp {

// Insertions, deletions and substitutions needed to turn `a` into `b`.
std::size_t edit_distance(std::string_view a, std::string_view b);

}  // namespace lmp
