#include "registry/cache.h"

#include <fcntl.h>
#include <pwd.h>
#include <signal.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <random>
#include <set>

#include <nlohmann/json.hpp>

#include "common/file.h"
#include "registry/digest.h"
#include "registry/semver.h"

namespace lmp::registry {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

// Holds an exclusive flock on a file for the lifetime of the object.
class FileLock {
 public:
  explicit FileLock(const fs::path& path)
      : fd_(::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644)) {
    if (fd_ >= 0) ::flock(fd_, LOCK_EX);
  }
  ~FileLock() {
    if (fd_ >= 0) ::close(fd_);  // releases the lock
  }
  FileLock(const FileLock&) = delete;
  FileLock& operator=(const FileLock&) = delete;
  bool ok() const { return fd_ >= 0; }

 private:
  int fd_;
};

std::string now_utc() {
  std::time_t now = std::time(nullptr);
  std::tm tm{};
  ::gmtime_r(&now, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::unexpected<Error> io_error(const std::string& what, const std::error_code& ec) {
  return fail(ExitCode::kFailure, what + ": " + ec.message());
}

json to_json(const CachedPackage& p, const fs::path& home) {
  json files = json::array();
  for (const auto& f : p.files)
    files.push_back({{"name", f.name}, {"sha256", f.sha256}, {"size", f.size}});
  return {{"name", p.name},         {"version", p.version},
          {"files", files},         {"size", p.size},
          {"source", p.source},     {"pulled_at", p.pulled_at},
          {"from_url", p.from_url}, {"dir", p.dir.lexically_relative(home).string()}};
}

Result<CachedPackage> from_json(const json& j, const fs::path& home) {
  auto bad = [] {
    return fail(ExitCode::kFailure, "refs.json: malformed entry",
                "remove LMP_HOME/refs.json to start over");
  };
  if (!j.is_object()) return bad();
  CachedPackage p;
  auto str = [&](const char* key) -> std::string {
    auto it = j.find(key);
    return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
  };
  p.name = str("name"), p.version = str("version"), p.source = str("source");
  p.pulled_at = str("pulled_at");
  p.from_url = j.value("from_url", false);
  p.size = j.value("size", std::uint64_t{0});
  std::string dir = str("dir");
  if (p.name.empty() || dir.empty() || dir.find("..") != std::string::npos) return bad();
  p.dir = home / dir;
  auto files = j.find("files");
  if (files == j.end() || !files->is_array()) return bad();
  for (const auto& f : *files) {
    if (!f.is_object()) return bad();
    FileEntry e{f.value("name", ""), f.value("sha256", ""), f.value("size", std::uint64_t{0})};
    if (!is_plain_file_name(e.name) || !is_sha256_hex(e.sha256)) return bad();
    p.files.push_back(std::move(e));
  }
  return p;
}

bool same_slot(const CachedPackage& a, const CachedPackage& b) {
  if (a.from_url || b.from_url) return a.from_url == b.from_url && a.source == b.source;
  return a.name == b.name && a.version == b.version;
}

}  // namespace

Result<fs::path> lmp_home() {
  if (const char* home = std::getenv("LMP_HOME"); home && *home) return fs::path(home);
  std::string base;
  if (::getuid() != 0) {
    if (const char* h = std::getenv("HOME"); h && *h) base = h;
  }
  if (base.empty()) {
    if (const passwd* pw = ::getpwuid(::getuid()); pw && pw->pw_dir) base = pw->pw_dir;
  }
  if (base.empty()) return fail(ExitCode::kFailure, "cannot find a home directory", "set LMP_HOME");
  return fs::path(base) / ".lmp";
}

fs::path CachedPackage::main_file() const {
  for (const char* name : {"app.wasm", "package.json"})
    for (const auto& f : files)
      if (f.name == name) return dir / name;
  return files.empty() ? dir : dir / files.front().name;
}

TempFile::~TempFile() {
  if (path_.empty()) return;
  std::error_code ec;
  fs::remove_all(path_, ec);
}

Result<Cache> Cache::open(const fs::path& home) {
  std::error_code ec;
  for (const char* sub : {"blobs/sha256", "packages", "tmp"}) {
    fs::create_directories(home / sub, ec);
    if (ec) return io_error("cannot create " + (home / sub).string(), ec);
  }
  // Remove downloads of processes that no longer exist (killed mid-download).
  for (const auto& entry : fs::directory_iterator(home / "tmp", ec)) {
    std::string name = entry.path().filename().string();
    if (!name.starts_with("dl-")) continue;
    long pid = std::strtol(name.c_str() + 3, nullptr, 10);
    if (pid > 0 && ::kill(static_cast<pid_t>(pid), 0) != 0 && errno == ESRCH)
      fs::remove_all(entry.path(), ec);
  }
  return Cache(fs::absolute(home));
}

Result<TempFile> Cache::temp_file() {
  std::string pattern = (home_ / "tmp" / ("dl-" + std::to_string(::getpid()) + "-XXXXXX")).string();
  int fd = ::mkstemp(pattern.data());
  if (fd < 0)
    return fail(ExitCode::kFailure, "cannot create a temp file in " + (home_ / "tmp").string() +
                                        ": " + std::strerror(errno));
  ::close(fd);
  return TempFile(pattern);
}

fs::path Cache::blob_path(const std::string& sha256) const {
  return home_ / "blobs/sha256" / sha256;
}

bool Cache::has_blob(const std::string& sha256) const {
  std::error_code ec;
  return is_sha256_hex(sha256) && fs::is_regular_file(blob_path(sha256), ec);
}

Result<void> Cache::store_blob(const TempFile& file, const std::string& sha256) {
  if (!is_sha256_hex(sha256)) return fail(ExitCode::kFailure, "bad digest " + sha256);
  if (has_blob(sha256)) return {};
  std::error_code ec;
  fs::permissions(file.path(), fs::perms(0644), ec);
  fs::rename(file.path(), blob_path(sha256), ec);
  if (ec) return io_error("cannot store " + blob_path(sha256).string(), ec);
  return {};
}

fs::path Cache::package_dir(const CachedPackage& entry) const {
  if (entry.from_url) return home_ / "packages/url" / sha256_hex(entry.source).substr(0, 16);
  return home_ / "packages" / entry.name / (entry.version.empty() ? "latest" : entry.version);
}

Result<CachedPackage> Cache::add(CachedPackage entry) {
  FileLock lock(home_ / "lock");
  return add_locked(std::move(entry));
}

Result<CachedPackage> Cache::commit(CachedPackage entry, Fetched& fetched) {
  FileLock lock(home_ / "lock");
  entry.files.clear();
  for (auto& [temp, file] : fetched) {
    if (!temp.path().empty())
      LMP_CHECK(store_blob(temp, file.sha256));
    else if (!has_blob(file.sha256))
      return fail(ExitCode::kFailure,
                  "the cached copy of " + file.name + " was removed during the download",
                  "another lmp removed it (lmp rm); run the command again");
    entry.files.push_back(file);
  }
  return add_locked(std::move(entry));
}

Result<CachedPackage> Cache::add_locked(CachedPackage entry) {
  entry.dir = package_dir(entry);
  if (entry.pulled_at.empty()) entry.pulled_at = now_utc();
  entry.size = 0;
  for (const auto& f : entry.files) entry.size += f.size;

  // Build the directory beside the cache, then swap it in.
  std::error_code ec;
  TempFile staging_guard(
      home_ / "tmp" /
      ("dl-" + std::to_string(::getpid()) + "-pkg-" + entry.files.front().sha256.substr(0, 12)));
  const fs::path& staging = staging_guard.path();
  fs::remove_all(staging, ec);
  fs::create_directories(staging, ec);
  if (ec) return io_error("cannot create " + staging.string(), ec);
  for (const auto& f : entry.files) {
    if (!has_blob(f.sha256)) return fail(ExitCode::kFailure, "blob of " + f.name + " is missing");
    fs::create_hard_link(blob_path(f.sha256), staging / f.name, ec);
    if (ec) fs::copy_file(blob_path(f.sha256), staging / f.name, ec);
    if (ec) return io_error("cannot link " + f.name + " into the cache", ec);
  }
  auto entries = LMP_TRY(load());
  fs::create_directories(entry.dir.parent_path(), ec);
  fs::remove_all(entry.dir, ec);
  fs::rename(staging, entry.dir, ec);
  if (ec) return io_error("cannot create " + entry.dir.string(), ec);
  std::erase_if(entries, [&](const CachedPackage& e) { return same_slot(e, entry); });
  entries.push_back(entry);
  LMP_CHECK(save(entries));  // replaced blobs are collected by the next remove()
  return entry;
}

Result<std::vector<CachedPackage>> Cache::list() const {
  return load();
}

Result<std::optional<CachedPackage>> Cache::find(const std::string& name,
                                                 const std::string& version) const {
  std::optional<CachedPackage> best;
  for (auto& e : LMP_TRY(load())) {
    if (e.from_url || e.name != name) continue;
    if (!version.empty() && e.version != version) continue;
    if (!best || compare_versions(e.version, best->version) > 0) best = std::move(e);
  }
  return best;
}

Result<std::optional<CachedPackage>> Cache::find_url(const std::string& url) const {
  for (auto& e : LMP_TRY(load()))
    if (e.from_url && e.source == url) return std::optional(std::move(e));
  return std::optional<CachedPackage>();
}

Result<std::vector<CachedPackage>> Cache::remove(const std::string& name,
                                                 const std::string& version, bool by_url) {
  FileLock lock(home_ / "lock");
  auto entries = LMP_TRY(load());
  std::vector<CachedPackage> removed;
  std::erase_if(entries, [&](const CachedPackage& e) {
    bool match = by_url
                     ? (e.from_url && e.source == name)
                     : (!e.from_url && e.name == name && (version.empty() || e.version == version));
    if (match) removed.push_back(e);
    return match;
  });
  if (removed.empty()) return removed;
  LMP_CHECK(save(entries));
  std::error_code ec;
  for (const auto& e : removed) {
    fs::remove_all(e.dir, ec);
    if (!e.from_url) fs::remove(e.dir.parent_path(), ec);  // only when empty
  }
  collect_garbage(entries);
  return removed;
}

Result<std::vector<CachedPackage>> Cache::load() const {
  auto text = read_file(home_ / "refs.json");
  if (!text) {
    if (text.error().code == ExitCode::kNotFound) return std::vector<CachedPackage>();
    return std::unexpected(text.error());
  }
  json root = json::parse(*text, nullptr, false);
  if (root.is_discarded() || !root.is_object() || !root.contains("packages") ||
      !root["packages"].is_array())
    return fail(ExitCode::kFailure, (home_ / "refs.json").string() + " is corrupt",
                "remove it to start with an empty cache list");
  std::vector<CachedPackage> entries;
  for (const auto& j : root["packages"]) entries.push_back(LMP_TRY(from_json(j, home_)));
  return entries;
}

Result<void> Cache::save(const std::vector<CachedPackage>& entries) const {
  json packages = json::array();
  for (const auto& e : entries) packages.push_back(to_json(e, home_));
  json root = {{"schema_version", 1}, {"packages", packages}};
  return write_file_atomic(home_ / "refs.json", root.dump(2) + "\n");
}

void Cache::collect_garbage(const std::vector<CachedPackage>& entries) const {
  std::set<std::string> used;
  for (const auto& e : entries)
    for (const auto& f : e.files) used.insert(f.sha256);
  std::error_code ec;
  for (const auto& blob : fs::directory_iterator(home_ / "blobs/sha256", ec)) {
    if (!used.contains(blob.path().filename().string())) fs::remove(blob.path(), ec);
  }
}

}  // namespace lmp::registry
