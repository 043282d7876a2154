// Publishing one version: every file is validated before anything is stored (docs/hub.md,
// "Publishing"); then the files go to the BlobStore and the version to Storage::publish in
// one transaction. Used by the API (POST /api/v1/packages) and by `lmp-hub import`.
#pragma once

#include <cstddef>
#include <map>
#include <string>
#include <vector>

#include "common/result.h"
#include "hub/blob_store.h"
#include "hub/storage.h"

namespace lmp::hub {

inline constexpr std::size_t kMaxUploadBytes = 64u * 1024 * 1024;  // the whole request body
inline constexpr std::size_t kMaxWasmBytes = 64u * 1024 * 1024;
inline constexpr std::size_t kMaxReadmeBytes = 1024u * 1024;
inline constexpr std::size_t kMaxConfigBytes = 64u * 1024;
inline constexpr std::size_t kMaxVersionChars = 64;

struct PublishedVersion {
  std::string name;
  std::string version;
  std::vector<StoredFile> files;  // sorted by name
};

// Publishes the version described by `files` (file name -> content) as `publisher`.
// An lmp.sig among the files must verify over them (registry/signing.h): its key is stored
// with the version. Errors: kBadPackage (a file is invalid or the signature does not verify;
// the message names it), kUsage (an unknown file
// name, no package.json nor app.wasm, no config.json), kPermission (the name belongs to
// others), kConflict (the version exists), kFailure (storage). Nothing is stored unless every
// check passed.
Result<PublishedVersion> publish_upload(Storage& storage, BlobStore& blobs, const User& publisher,
                                        const std::map<std::string, std::string>& files);

// The HTTP status of a publish (or any hub) error: kBadPackage/kUsage 400, kPermission 403,
// kNotFound 404, kConflict 409, else 500.
int http_status(const Error& error);

}  // namespace lmp::hub
