// Ranked search over repository indexes and hubs, and "did you mean" suggestions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "registry/index.h"
#include "registry/oci_transport.h"
#include "registry/static_repository.h"

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

// One row of `lmp search`, from an index or a hub's search API.
struct SearchRow {
  std::string name;
  std::string version;
  std::string summary;  // the summary, else the description
  std::vector<std::string> tags;
  std::optional<std::uint64_t> downloads;  // known from hubs only
  std::string repository;
};

struct RepositorySearch {
  std::vector<SearchRow> rows;     // repository by repository; earlier ones shadow later names
  std::size_t searched = 0;        // repositories that answered
  std::vector<std::string> notes;  // for stderr, e.g. "showing 20 of 45 matches of HUB"
};

// Searches every repository in order: a hub (is_hub_repository) through its API, else its
// index.json with search(). Repositories without an index, or failing, are skipped (failures
// logged as warnings).
RepositorySearch search_repositories(std::vector<StaticRepository>& repositories,
                                     OciTransport& transport,
                                     const std::vector<std::string>& words);

// Up to `max` names within a small edit distance of `name` (or containing it), closest first.
std::vector<std::string> closest_names(std::string_view name, const std::vector<std::string>& names,
                                       std::size_t max = 3);

}  // namespace lmp::registry
