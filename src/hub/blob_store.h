// Content-addressed files of the hub: DIR/blobs/sha256/<hex>. Writes go to DIR/tmp/ first,
// are fsynced and renamed, so a blob is either whole or absent; the same content is stored
// once. Blobs are immutable; an unreferenced blob (a publish that failed after storing its
// files) is harmless.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include "common/result.h"

namespace lmp::hub {

class BlobStore {
 public:
  // Creates DIR/blobs/sha256 and DIR/tmp when missing.
  static Result<BlobStore> open(const std::filesystem::path& data_dir);

  // Stores `content`; returns its sha256 (lowercase hex).
  Result<std::string> put(std::string_view content);
  // The path of a stored blob; kNotFound when absent or `sha256` is not 64 hex digits.
  Result<std::filesystem::path> path(const std::string& sha256) const;
  bool contains(const std::string& sha256) const;
  const std::filesystem::path& tmp_dir() const { return tmp_; }

 private:
  std::filesystem::path root_;  // DIR/blobs/sha256
  std::filesystem::path tmp_;   // DIR/tmp
};

}  // namespace lmp::hub
