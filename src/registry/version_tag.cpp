#include "registry/version_tag.h"

#include <algorithm>
#include <optional>

#include "registry/semver.h"

namespace lmp::registry {
namespace {

bool is_digits(std::string_view s) {
  return !s.empty() && s.size() <= 19 &&
         std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// MAJOR[.MINOR[.PATCH]] of a tag, without a leading 'v'; nullopt for other tags.
std::optional<std::vector<unsigned long long>> numeric_prefix(std::string_view tag) {
  if (tag.size() > 1 && tag.front() == 'v') tag.remove_prefix(1);
  std::vector<unsigned long long> parts;
  for (;;) {
    std::size_t dot = tag.find('.');
    std::string_view part = tag.substr(0, dot);
    if (!is_digits(part) || (part.size() > 1 && part.front() == '0') || parts.size() == 3)
      return std::nullopt;
    parts.push_back(std::stoull(std::string(part)));
    if (dot == std::string_view::npos) break;
    tag.remove_prefix(dot + 1);
  }
  return parts;
}

}  // namespace

bool is_tag(std::string_view s) {
  if (s.empty() || s.size() > 128 || s.front() == '.' || s.front() == '-') return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '.' || c == '-';
  });
}

bool is_version_tag(std::string_view tag) {
  if (tag.empty() || tag == "latest" || parse_semver(tag)) return true;
  if (tag.size() > 1 && tag.front() == 'v' && parse_semver(tag.substr(1))) return true;
  return numeric_prefix(tag).has_value();
}

bool tag_matches(std::string_view tag, std::string_view version) {
  if (tag == version) return true;
  if (tag.empty() || tag == "latest") return parse_semver(version).has_value();
  if (tag.size() > 1 && tag.front() == 'v' && parse_semver(tag.substr(1)))
    return tag.substr(1) == version;
  auto prefix = numeric_prefix(tag);
  auto v = parse_semver(version);
  if (!prefix || !v || prefix->size() == 3) return false;  // a full version matches exactly
  unsigned long long fields[] = {v->major, v->minor, v->patch};
  for (std::size_t i = 0; i < prefix->size(); ++i)
    if ((*prefix)[i] != fields[i]) return false;
  return true;
}

std::string pick_version(std::string_view tag, const std::vector<std::string>& versions) {
  if (std::find(versions.begin(), versions.end(), tag) != versions.end()) return std::string(tag);
  std::vector<std::string> matching;
  std::copy_if(versions.begin(), versions.end(), std::back_inserter(matching),
               [&](const std::string& v) { return tag_matches(tag, v); });
  return highest_version(matching);
}

}  // namespace lmp::registry
