#include "registry/semver_range.h"

#include <charconv>
#include <optional>

namespace lmp::registry {
namespace {

using Op = SemverRange::Op;
using Comparator = SemverRange::Comparator;

// A version with some parts left out or written x/X/*: "1", "1.2", "1.x", "1.2.3-rc.1".
struct Partial {
  int given = 0;  // how many of major, minor, patch are numbers
  Semver version;
};

std::optional<unsigned long long> parse_part(std::string_view s) {
  if (s.empty() || (s.size() > 1 && s[0] == '0')) return std::nullopt;
  unsigned long long value = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (ec != std::errc() || ptr != s.data() + s.size()) return std::nullopt;
  return value;
}

bool is_wildcard(std::string_view s) {
  return s == "x" || s == "X" || s == "*";
}

Result<Partial> parse_partial(std::string_view text, std::string_view range) {
  auto bad = [&](const std::string& why) {
    return fail(ExitCode::kBadPackage, "\"" + std::string(range) + "\" is not a version range: " +
                                           why + " (e.g. ^1.2.0, ~1.2, >=1.0 <2.0, 1.2.3)");
  };
  if (text.starts_with('v')) text.remove_prefix(1);
  if (text.empty()) return bad("an operator without a version");
  Partial partial;
  std::size_t core_end = text.find_first_of("-+");
  std::string_view core = text.substr(0, core_end);
  unsigned long long* fields[] = {&partial.version.major, &partial.version.minor,
                                  &partial.version.patch};
  bool wild = false;
  for (int i = 0; i < 3 && !core.empty(); ++i) {
    std::size_t dot = core.find('.');
    std::string_view part = core.substr(0, dot);
    if (is_wildcard(part)) {
      wild = true;
    } else {
      auto number = parse_part(part);
      if (!number) return bad("'" + std::string(part) + "' is not a number");
      if (wild) return bad("a number after a wildcard");
      *fields[i] = *number;
      partial.given = i + 1;
    }
    core = dot == std::string_view::npos ? std::string_view() : core.substr(dot + 1);
    if (dot != std::string_view::npos && core.empty()) return bad("a version ends with '.'");
  }
  if (!core.empty()) return bad("more than three version parts");
  if (core_end != std::string_view::npos) {
    if (partial.given != 3) return bad("a prerelease needs a full MAJOR.MINOR.PATCH");
    std::string full = std::to_string(partial.version.major) + "." +
                       std::to_string(partial.version.minor) + "." +
                       std::to_string(partial.version.patch) + std::string(text.substr(core_end));
    auto parsed = parse_semver(full);
    if (!parsed) return bad("'" + std::string(text) + "' is not a semantic version");
    partial.version = *parsed;
  }
  return partial;
}

Semver make(unsigned long long major, unsigned long long minor, unsigned long long patch) {
  Semver v;
  v.major = major, v.minor = minor, v.patch = patch;
  return v;
}

// The comparators a single token stands for (npm's desugaring of ^, ~, x ranges).
Result<std::vector<Comparator>> desugar(std::string_view token, std::string_view range) {
  std::string_view op;
  for (std::string_view candidate : {">=", "<=", ">", "<", "=", "^", "~"}) {
    if (token.starts_with(candidate)) {
      op = candidate;
      break;
    }
  }
  Partial p = LMP_TRY(parse_partial(token.substr(op.size()), range));
  const Semver& v = p.version;
  const unsigned long long M = v.major, m = v.minor;
  auto between = [](Semver low, Semver high) {
    return std::vector<Comparator>{{Op::kGe, std::move(low)}, {Op::kLt, std::move(high)}};
  };
  std::vector<Comparator> any = {{Op::kGe, make(0, 0, 0)}};
  std::vector<Comparator> none = {{Op::kLt, make(0, 0, 0)}};
  if (op.empty() || op == "=") {
    if (p.given == 3) return std::vector<Comparator>{{Op::kEq, v}};
    if (p.given == 2) return between(make(M, m, 0), make(M, m + 1, 0));
    if (p.given == 1) return between(make(M, 0, 0), make(M + 1, 0, 0));
    return any;
  }
  if (op == "^") {
    if (p.given == 0) return any;
    if (p.given == 1) return between(v, make(M + 1, 0, 0));
    if (M > 0) return between(v, make(M + 1, 0, 0));
    if (p.given == 2 || m > 0) return between(v, make(0, m + 1, 0));
    return between(v, make(0, 0, v.patch + 1));
  }
  if (op == "~") {
    if (p.given == 0) return any;
    if (p.given == 1) return between(v, make(M + 1, 0, 0));
    return between(v, make(M, m + 1, 0));
  }
  if (op == ">=") return p.given == 0 ? any : std::vector<Comparator>{{Op::kGe, v}};
  if (op == ">") {
    if (p.given == 3) return std::vector<Comparator>{{Op::kGt, v}};
    if (p.given == 2) return std::vector<Comparator>{{Op::kGe, make(M, m + 1, 0)}};
    if (p.given == 1) return std::vector<Comparator>{{Op::kGe, make(M + 1, 0, 0)}};
    return none;
  }
  if (op == "<") return p.given == 0 ? none : std::vector<Comparator>{{Op::kLt, v}};
  // "<="
  if (p.given == 3) return std::vector<Comparator>{{Op::kLe, v}};
  if (p.given == 2) return std::vector<Comparator>{{Op::kLt, make(M, m + 1, 0)}};
  if (p.given == 1) return std::vector<Comparator>{{Op::kLt, make(M + 1, 0, 0)}};
  return any;
}

std::vector<std::string_view> split_spaces(std::string_view s) {
  std::vector<std::string_view> words;
  std::size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && (s[i] == ' ' || s[i] == '\t')) ++i;
    std::size_t start = i;
    while (i < s.size() && s[i] != ' ' && s[i] != '\t') ++i;
    if (i > start) words.push_back(s.substr(start, i - start));
  }
  return words;
}

bool holds(const Comparator& c, const Semver& v) {
  auto order = compare(v, c.version);
  switch (c.op) {
    case Op::kEq:
      return order == 0;
    case Op::kLt:
      return order < 0;
    case Op::kLe:
      return order <= 0;
    case Op::kGt:
      return order > 0;
    case Op::kGe:
      return order >= 0;
  }
  return false;
}

bool set_satisfies(const std::vector<Comparator>& set, const Semver& v) {
  for (const auto& c : set)
    if (!holds(c, v)) return false;
  if (!v.is_prerelease()) return true;
  // npm: a prerelease only where the range itself names a prerelease of that version.
  for (const auto& c : set) {
    const Semver& w = c.version;
    if (w.is_prerelease() && w.major == v.major && w.minor == v.minor && w.patch == v.patch)
      return true;
  }
  return false;
}

}  // namespace

Result<SemverRange> SemverRange::parse(std::string_view text) {
  SemverRange range;
  range.text_ = std::string(text);
  for (char c : text)
    if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) > 0x7e)
      return fail(ExitCode::kBadPackage, "a version range must be printable ASCII");
  std::string_view rest = text;
  while (true) {
    std::size_t bar = rest.find("||");
    std::string_view alternative = rest.substr(0, bar);
    std::vector<std::string_view> words = split_spaces(alternative);
    std::vector<Comparator> set;
    for (std::size_t i = 0; i < words.size(); ++i) {
      std::string token(words[i]);
      if (token == "-")
        return fail(ExitCode::kBadPackage, "\"" + range.text_ +
                                               "\" is not a version range: hyphen ranges are not "
                                               "supported (write >=A <=B)");
      // ">= 1.2": an operator written apart from its version.
      if (token.find_first_not_of("<>=^~") == std::string::npos && i + 1 < words.size())
        token += words[++i];
      for (auto& c : LMP_TRY(desugar(token, range.text_))) set.push_back(std::move(c));
    }
    if (set.empty()) {
      if (bar != std::string_view::npos || !range.alternatives_.empty())
        return fail(ExitCode::kBadPackage,
                    "\"" + range.text_ + "\" is not a version range: an empty alternative");
      set.push_back({Op::kGe, make(0, 0, 0)});  // "" means any version
    }
    range.alternatives_.push_back(std::move(set));
    if (bar == std::string_view::npos) break;
    rest = rest.substr(bar + 2);
  }
  return range;
}

bool SemverRange::satisfies(const Semver& version) const {
  for (const auto& set : alternatives_)
    if (set_satisfies(set, version)) return true;
  return false;
}

bool SemverRange::satisfies(std::string_view version) const {
  auto parsed = parse_semver(version);
  return parsed && satisfies(*parsed);
}

std::string max_satisfying(const SemverRange& range, const std::vector<std::string>& versions) {
  return max_satisfying(std::vector<SemverRange>{range}, versions);
}

std::string max_satisfying(const std::vector<SemverRange>& ranges,
                           const std::vector<std::string>& versions) {
  std::string best;
  for (const auto& v : versions) {
    bool ok = true;
    for (const auto& r : ranges) ok = ok && r.satisfies(v);
    if (ok && (best.empty() || compare_versions(v, best) > 0)) best = v;
  }
  return best;
}

}  // namespace lmp::registry
