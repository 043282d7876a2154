// The local package cache under LMP_HOME:
//   blobs/sha256/<hex>            content-addressed file contents
//   packages/NAME/VERSION/<file>  hard links to the blobs, the directory `lmp run` reads
//   packages/url/<hash>/<file>    the same for packages pulled from a URL
//   refs.json                     what was pulled (name, version, files, size, source, time)
//   tmp/                          downloads in progress, named dl-<pid>-*
// Nothing enters blobs/ or packages/ until it is complete and verified; refs.json is
// replaced atomically under a lock file, so a killed lmp leaves at most a temp file, and
// temp files of dead processes are removed the next time the cache is opened.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "common/result.h"
#include "registry/index.h"

namespace lmp::registry {

// LMP_HOME, else ~/.lmp; as root always root's own home (not $HOME of a sudo caller).
Result<std::filesystem::path> lmp_home();

struct CachedPackage {
  std::string name;
  std::string version;  // semver; empty when unknown (legacy repository or URL)
  std::vector<FileEntry> files;
  std::uint64_t size = 0;
  std::string source;         // the URL it came from
  std::string pulled_at;      // UTC, "2024-05-01T12:00:00Z"
  bool from_url = false;      // pulled by URL rather than by name
  std::filesystem::path dir;  // absolute package directory

  // app.wasm when the package has one, else package.json, else its only file.
  std::filesystem::path main_file() const;
};

// A temp file under tmp/ removed on destruction unless released.
class TempFile {
 public:
  explicit TempFile(std::filesystem::path path) : path_(std::move(path)) {}
  ~TempFile();
  TempFile(TempFile&& other) noexcept : path_(std::exchange(other.path_, {})) {}
  TempFile& operator=(TempFile&&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

class Cache {
 public:
  // Creates the layout when missing (directories 0755 whatever the umask), refuses a cache
  // another local user could change (check_private in cache_files.h) and removes temp files
  // left by dead processes.
  static Result<Cache> open(const std::filesystem::path& home);

  const std::filesystem::path& home() const { return home_; }

  // A fresh, empty temp file for a download.
  Result<TempFile> temp_file();

  bool has_blob(const std::string& sha256) const;
  // The size of a stored blob; nullopt when it is not stored.
  std::optional<std::uint64_t> blob_size(const std::string& sha256) const;
  // Moves a complete, verified file into blobs/ (kept as is when the blob exists).
  Result<void> store_blob(const TempFile& file, const std::string& sha256);

  // Records `entry`, whose files must all be stored blobs: links them into its package
  // directory (replacing an older copy of the same name and version or URL) and updates
  // refs.json. Returns the entry with `dir` filled in (computed, never given).
  Result<CachedPackage> add(CachedPackage entry);

  // What a download hands over: the verified temp files (an empty path for a blob that was
  // already cached) and their entries, in the package's file order. An already cached blob
  // must have the size its entry declares (the declaration comes from a server).
  using Fetched = std::vector<std::pair<TempFile, FileEntry>>;
  // Stores the fetched blobs and records the package under one lock, so a concurrent
  // `lmp rm` (which deletes unused blobs under the same lock) cannot remove a blob between
  // the two. A blob that was cached when the download began and is gone now (removed in
  // the meantime) is an error asking to run the command again.
  Result<CachedPackage> commit(CachedPackage entry, Fetched& fetched);

  Result<std::vector<CachedPackage>> list() const;

  // Checks a cached package before it is loaded: it lies inside the cache, its directories
  // and files pass check_private(), and every file is a regular file with the size and
  // sha256 refs.json records (so a swapped file is never run). kFailure otherwise, with the
  // hint to remove and pull it again.
  Result<void> verify(const CachedPackage& entry) const;

  // The cached package NAME:VERSION; empty version = the highest cached version; a tag
  // ("1", "v1", "2.0", version_tag.h) = the highest cached version it names.
  Result<std::optional<CachedPackage>> find(const std::string& name,
                                            const std::string& version) const;
  Result<std::optional<CachedPackage>> find_url(const std::string& url) const;

  // Removes NAME:VERSION (all versions when `version` is empty), or the package pulled from
  // URL `name` when `by_url`; deletes blobs no longer used. Returns what was removed.
  Result<std::vector<CachedPackage>> remove(const std::string& name, const std::string& version,
                                            bool by_url = false);

 private:
  explicit Cache(std::filesystem::path home) : home_(std::move(home)) {}
  std::filesystem::path blob_path(const std::string& sha256) const;
  // add() with the cache lock already held.
  Result<CachedPackage> add_locked(CachedPackage entry);
  Result<std::vector<CachedPackage>> load() const;
  Result<void> save(const std::vector<CachedPackage>& entries) const;
  void collect_garbage(const std::vector<CachedPackage>& entries) const;

  std::filesystem::path home_;
};

}  // namespace lmp::registry
