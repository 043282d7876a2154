// `lmp-hub import REPO`: loads a static repository (index.json layout, a directory or an
// http(s)/file URL) into the hub, each version through publish_upload() as one owner, after
// checking every file's sha256 against the index. Versions the hub has are skipped.
#pragma once

#include <string>

#include "common/result.h"
#include "hub/blob_store.h"
#include "hub/storage.h"
#include "registry/http_client.h"

namespace lmp::hub {

struct ImportSummary {
  int versions = 0;  // imported
  int packages = 0;  // with at least one imported version
  int skipped = 0;   // present already
};

// A directory becomes a file:// URL; URLs are kept.
std::string repository_url(const std::string& source);

// The owner of imported packages: `name`, else the first admin. kNotFound with a hint when
// there is none.
Result<User> import_owner(Storage& storage, const std::string& name);

Result<ImportSummary> import_repository(Storage& storage, BlobStore& blobs, const User& owner,
                                        const std::string& source, registry::HttpClient& http);

}  // namespace lmp::hub
