// Version ranges of config.json's "dependencies", with npm's meaning (docs/dependencies.md):
// ^1.2.3, ^0.1 (caret: no change left of the first non-zero part), ~1.2 (patch updates),
// >=1.0.0, >1, <2, <=1.4, =1.2.3, a bare or partial version (1.2.3, 1.2, 1), * or empty
// (any version), comparators separated by spaces (all must hold) and alternatives joined
// by ||. A prerelease satisfies a range only when one of its comparators names the same
// MAJOR.MINOR.PATCH with a prerelease (npm's rule), so ^1.0.0 never picks 2.0.0-rc.1.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "registry/semver.h"

namespace lmp::registry {

class SemverRange {
 public:
  enum class Op { kEq, kLt, kLe, kGt, kGe };
  struct Comparator {
    Op op = Op::kGe;
    Semver version;
  };

  // Parses `text`; kBadPackage naming the range and what is wrong, e.g.
  // "\"^1.x.2\" is not a version range: ...".
  static Result<SemverRange> parse(std::string_view text);

  // True when `version` satisfies the range (always false for a text that is no semver).
  bool satisfies(const Semver& version) const;
  bool satisfies(std::string_view version) const;

  // The text as written ("" for any version).
  const std::string& text() const { return text_; }

 private:
  std::string text_;
  std::vector<std::vector<Comparator>> alternatives_;  // OR of ANDs
};

// The highest of `versions` that satisfies `range`; empty when none does.
std::string max_satisfying(const SemverRange& range, const std::vector<std::string>& versions);

// The highest of `versions` that satisfies every one of `ranges`; empty when none does.
std::string max_satisfying(const std::vector<SemverRange>& ranges,
                           const std::vector<std::string>& versions);

}  // namespace lmp::registry
