// A static repository: any web server (or file:// directory) with the layout
//   REPO/index.json, REPO/NAME/{package.json,app.wasm}, REPO/NAME/VERSION/{files}
// See docs/repositories.md.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/result.h"
#include "registry/http_client.h"
#include "registry/index.h"

namespace lmp::registry {

// One file to download. Without an index `sha256` is empty and nothing can be verified.
struct RemoteFile {
  std::string name;
  std::string url;
  std::string sha256;
  std::uint64_t size = 0;
};

struct ResolvedPackage {
  std::string name;
  std::string version;  // empty for a legacy probe
  std::string source;   // URL of the package directory
  std::vector<RemoteFile> files;
  // Legacy probe: `files` are alternatives, the first that exists is the package.
  bool probe = false;
  std::optional<VersionEntry> metadata;  // from the index
};

class StaticRepository {
 public:
  // `base_url` with or without a trailing '/'.
  StaticRepository(std::string base_url, HttpClient& http);

  const std::string& url() const { return base_url_; }

  // The repository's index.json, fetched once. Null when the repository has none (legacy).
  Result<const Index*> index();

  // NAME (empty version: the highest) or NAME:VERSION. With an index the version must be
  // listed; without one the legacy probe NAME[/VERSION]/app.wasm, then package.json is
  // returned unchecked. kNotFound when the index lacks the name or version.
  Result<ResolvedPackage> resolve(const std::string& name, const std::string& version);

 private:
  std::string base_url_;
  HttpClient& http_;
  bool index_loaded_ = false;
  std::optional<Index> index_;
};

// LMP_REPOSITORY split on commas (blank entries dropped), then the bundled catalog when
// one is installed: BIN/../share/lmp/catalog/ or BIN/catalog/ (the build tree), as file://.
std::vector<std::string> configured_repositories();

// The bundled catalog's file:// URL (no trailing '/'), when one is installed beside lmp.
std::optional<std::string> bundled_catalog();

}  // namespace lmp::registry
