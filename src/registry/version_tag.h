// The tag after NAME: in a package reference, read the way docker users expect. A semver
// names that version; "latest" (or no tag) the highest release; a partial version names
// the highest release that starts with it ("1" and "v1": the newest 1.x.y, "2.0": the
// newest 2.0.x); a leading 'v' is ignored ("v1.2.3" is 1.2.3). See docs/references.md.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace lmp::registry {

// [A-Za-z0-9_][A-Za-z0-9_.-]{0,127}, docker's tag rule (OCI tags and NAME:TAG alike).
bool is_tag(std::string_view text);

// True for the tags that pick among versions: "", "latest", a semver, or [v]MAJOR[.MINOR[.PATCH]].
bool is_version_tag(std::string_view tag);

// True when `version` is one `tag` names (exact text, or within its partial version).
bool tag_matches(std::string_view tag, std::string_view version);

// The version `tag` picks among `versions`: an exact match first, else the highest of the
// matching ones (releases above prereleases, as highest_version()). Empty when none matches.
std::string pick_version(std::string_view tag, const std::vector<std::string>& versions);

}  // namespace lmp::registry
