#include "registry/semver.h"

#include <algorithm>
#include <charconv>

namespace lmp::registry {
namespace {

bool all_digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

bool is_identifier(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-';
  });
}

// A numeric field: digits, no leading zero (except "0" itself).
std::optional<unsigned long long> parse_number(std::string_view s) {
  if (!all_digits(s) || (s.size() > 1 && s[0] == '0')) return std::nullopt;
  unsigned long long value = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (ec != std::errc() || ptr != s.data() + s.size()) return std::nullopt;
  return value;
}

std::vector<std::string_view> split(std::string_view s, char sep) {
  std::vector<std::string_view> parts;
  for (;;) {
    std::size_t at = s.find(sep);
    parts.push_back(s.substr(0, at));
    if (at == std::string_view::npos) return parts;
    s.remove_prefix(at + 1);
  }
}

}  // namespace

std::optional<Semver> parse_semver(std::string_view text) {
  if (std::size_t plus = text.find('+'); plus != std::string_view::npos) {
    for (auto id : split(text.substr(plus + 1), '.'))
      if (!is_identifier(id)) return std::nullopt;
    text = text.substr(0, plus);
  }
  Semver v;
  if (std::size_t dash = text.find('-'); dash != std::string_view::npos) {
    for (auto id : split(text.substr(dash + 1), '.')) {
      if (!is_identifier(id) || (all_digits(id) && !parse_number(id))) return std::nullopt;
      v.prerelease.emplace_back(id);
    }
    text = text.substr(0, dash);
  }
  auto core = split(text, '.');
  if (core.size() != 3) return std::nullopt;
  auto major = parse_number(core[0]), minor = parse_number(core[1]), patch = parse_number(core[2]);
  if (!major || !minor || !patch) return std::nullopt;
  v.major = *major, v.minor = *minor, v.patch = *patch;
  return v;
}

std::strong_ordering compare(const Semver& a, const Semver& b) {
  if (auto c = a.major <=> b.major; c != 0) return c;
  if (auto c = a.minor <=> b.minor; c != 0) return c;
  if (auto c = a.patch <=> b.patch; c != 0) return c;
  if (a.prerelease.empty() != b.prerelease.empty())
    return a.prerelease.empty() ? std::strong_ordering::greater : std::strong_ordering::less;
  std::size_t n = std::min(a.prerelease.size(), b.prerelease.size());
  for (std::size_t i = 0; i < n; ++i) {
    const std::string& x = a.prerelease[i];
    const std::string& y = b.prerelease[i];
    bool xn = all_digits(x), yn = all_digits(y);
    if (xn && yn) {
      auto c = x.size() <=> y.size();  // no leading zeros: longer is bigger
      if (c == 0) c = x <=> y;
      if (c != 0) return c;
    } else if (xn != yn) {
      return xn ? std::strong_ordering::less : std::strong_ordering::greater;
    } else if (auto c = x <=> y; c != 0) {
      return c;
    }
  }
  return a.prerelease.size() <=> b.prerelease.size();
}

std::strong_ordering compare_versions(std::string_view a, std::string_view b) {
  auto va = parse_semver(a), vb = parse_semver(b);
  if (va && vb) return compare(*va, *vb);
  if (va || vb) return va ? std::strong_ordering::greater : std::strong_ordering::less;
  return a <=> b;
}

std::string highest_version(const std::vector<std::string>& versions) {
  std::string best;
  bool best_is_release = false;
  for (const auto& v : versions) {
    auto parsed = parse_semver(v);
    bool is_release = parsed && !parsed->is_prerelease();
    if (best.empty() || (is_release && !best_is_release) ||
        (is_release == best_is_release && compare_versions(v, best) > 0)) {
      best = v;
      best_is_release = is_release;
    }
  }
  return best;
}

}  // namespace lmp::registry
