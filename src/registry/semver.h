// Semantic versions (semver.org 2.0): parsing and precedence, for picking the highest version.
#pragma once

#include <compare>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace lmp::registry {

struct Semver {
  unsigned long long major = 0, minor = 0, patch = 0;
  std::vector<std::string> prerelease;  // dot-separated identifiers after '-'
  // Build metadata after '+' is ignored for precedence and not kept.

  bool is_prerelease() const { return !prerelease.empty(); }
};

// Parses MAJOR.MINOR.PATCH[-PRE][+BUILD]; nullopt when `text` is not a semver.
std::optional<Semver> parse_semver(std::string_view text);

// semver.org precedence: numeric fields, then a release above its prereleases, then
// prerelease identifiers (numeric < alphanumeric, numeric compared as numbers).
std::strong_ordering compare(const Semver& a, const Semver& b);

// Compares version strings; valid semvers sort above invalid ones, invalid ones by text.
std::strong_ordering compare_versions(std::string_view a, std::string_view b);

// The highest version: the highest release, or the highest prerelease when there is no
// release. Empty when `versions` is empty.
std::string highest_version(const std::vector<std::string>& versions);

}  // namespace lmp::registry
