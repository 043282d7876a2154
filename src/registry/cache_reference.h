// How a cached package is named again: the reference `lmp list` prints and `lmp run`,
// `lmp rm` and `lmp info` accept as it is.
#pragma once

#include <string>
#include <string_view>

#include "registry/cache.h"

namespace lmp::registry {

// Where a cached package came from. refs.json has always recorded enough to tell: a
// package pulled by name (from a hub, the catalog or another repository) has from_url
// false; one pulled by reference keeps that reference as its source, a URL with its scheme
// or an OCI reference (HOST/REPOSITORY:TAG[@DIGEST], no scheme), a git dependency
// "git+URL#TAG[:PATH]" (registry/git_fetch.h). Old caches need no change.
enum class PackageOrigin { kRepository, kUrl, kOci, kGit };

// The cache source of a git dependency: "git+" and package::git_source_text().
inline constexpr std::string_view kGitSourcePrefix = "git+";
PackageOrigin origin_of(const CachedPackage& package);

// "repository", "url", "oci" or "git", for JSON and the info text.
const char* origin_name(PackageOrigin origin);

// NAME:VERSION (NAME when the version is unknown), the URL, the OCI reference, or the git
// source ("lmp rm" takes it).
std::string reference_of(const CachedPackage& package);

// True when `package` holds exactly `files` (names, sizes and digests, in any order).
bool same_files(const CachedPackage& package, const std::vector<FileEntry>& files);

}  // namespace lmp::registry
