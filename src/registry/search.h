// Ranked search over repository indexes, and "did you mean" suggestions.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "registry/index.h"

namespace lmp::registry {

struct SearchHit {
  std::string name;
  VersionEntry latest;     // metadata of the version NAME resolves to
  std::string repository;  // base URL of the first repository listing the name
  int score = 0;
};

// An index to search and where it came from; earlier sources shadow later ones by name.
struct SearchSource {
  std::string repository;
  const Index* index = nullptr;
};

// Every word (case-insensitive) must match the name, a tag, the summary or the description.
// Per word: exact name 100 > name prefix 60 > name substring 40 > tag 25 > summary or
// description 10; a hit scores the sum. Sorted by score, then name. No words lists all.
std::vector<SearchHit> search(const std::vector<SearchSource>& sources,
                              const std::vector<std::string>& words);

// Up to `max` names within a small edit distance of `name` (or containing it), closest first.
std::vector<std::string> closest_names(std::string_view name, const std::vector<std::string>& names,
                                       std::size_t max = 3);

}  // namespace lmp::registry
