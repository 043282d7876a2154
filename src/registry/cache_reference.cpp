#include "registry/cache_reference.h"

#include <algorithm>

namespace lmp::registry {

PackageOrigin origin_of(const CachedPackage& package) {
  if (!package.from_url) return PackageOrigin::kRepository;
  if (package.source.starts_with(kGitSourcePrefix)) return PackageOrigin::kGit;
  for (const char* scheme : {"http://", "https://", "file://"})
    if (package.source.starts_with(scheme)) return PackageOrigin::kUrl;
  return PackageOrigin::kOci;
}

const char* origin_name(PackageOrigin origin) {
  switch (origin) {
    case PackageOrigin::kRepository:
      return "repository";
    case PackageOrigin::kUrl:
      return "url";
    case PackageOrigin::kOci:
      return "oci";
    case PackageOrigin::kGit:
      return "git";
  }
  return "repository";
}

std::string reference_of(const CachedPackage& package) {
  if (package.from_url) return package.source;
  return package.version.empty() ? package.name : package.name + ":" + package.version;
}

bool same_files(const CachedPackage& package, const std::vector<FileEntry>& files) {
  auto sorted = [](std::vector<FileEntry> v) {
    std::sort(v.begin(), v.end(),
              [](const FileEntry& a, const FileEntry& b) { return a.name < b.name; });
    return v;
  };
  return sorted(package.files) == sorted(files);
}

}  // namespace lmp::registry
