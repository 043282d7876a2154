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
#include "registry/cache_files.h"
#include "registry/digest.h"
#include "registry/reference.h"
#include "registry/semver.h"
#include "registry/version_tag.h"

namespace lmp::registry {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

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

// Where the cache keeps a package: computed from its (checked) name, version or source,
// never taken from refs.json, so every directory lmp removes or replaces is its own.
fs::path package_dir_of(const fs::path& home, const CachedPackage& entry) {
  if (entry.from_url) return home / "packages/url" / sha256_hex(entry.source).substr(0, 16);
  return home / "packages" / entry.name / (entry.version.empty() ? "latest" : entry.version);
}

// refs.json is input like any other: another program, a full disk or a user may have
// written it. Every field is type-checked; nothing in it can name a path.
Result<CachedPackage> from_json(const json& j, const fs::path& home, std::size_t index) {
  auto bad = [&](const std::string& what) {
    return fail(
        ExitCode::kFailure,
        (home / "refs.json").string() + ": packages[" + std::to_string(index) + "]: " + what,
        "remove LMP_HOME/refs.json to start with an empty cache list");
  };
  if (!j.is_object()) return bad("expected an object");
  auto str = [&](const json& o, const char* key, std::string& into) {
    auto it = o.find(key);
    if (it == o.end()) return true;
    if (!it->is_string()) return false;
    into = it->get<std::string>();
    return true;
  };
  auto number = [&](const json& o, const char* key, std::uint64_t& into) {
    auto it = o.find(key);
    if (it == o.end()) return true;
    if (!it->is_number_unsigned()) return false;
    into = it->get<std::uint64_t>();
    return true;
  };
  CachedPackage p;
  std::string dir;
  for (auto [key, into] : {std::pair{"name", &p.name}, std::pair{"version", &p.version},
                           std::pair{"source", &p.source}, std::pair{"pulled_at", &p.pulled_at},
                           std::pair{"dir", &dir}})
    if (!str(j, key, *into)) return bad(std::string(key) + ": expected a string");
  if (auto it = j.find("from_url"); it != j.end()) {
    if (!it->is_boolean()) return bad("from_url: expected true or false");
    p.from_url = it->get<bool>();
  }
  if (!is_package_name(p.name)) return bad("name: not a package name");
  if (!p.version.empty() && !parse_semver(p.version)) return bad("version: not a semver version");
  if (p.from_url && p.source.empty()) return bad("source: missing");
  p.dir = package_dir_of(home, p);
  if (dir != p.dir.lexically_relative(home).string())
    return bad("dir: '" + dir + "' is not where the cache keeps this package");
  auto files = j.find("files");
  if (files == j.end() || !files->is_array() || files->empty())
    return bad("files: expected a non-empty array");
  for (const auto& f : *files) {
    FileEntry e;
    if (!f.is_object() || !str(f, "name", e.name) || !str(f, "sha256", e.sha256) ||
        !number(f, "size", e.size) || !is_plain_file_name(e.name) || !is_sha256_hex(e.sha256))
      return bad("files: expected {name, sha256, size} with a plain file name and a digest");
    p.size += e.size;  // recomputed: the stored total is not trusted
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
  for (const char* sub : {"blobs/sha256", "packages", "tmp"})
    LMP_CHECK(create_cache_directories(home / sub));
  // Like ssh: a cache another local user can write to is refused, not used.
  LMP_CHECK(check_private(home, /*follow=*/true));
  for (const char* sub :
       {"blobs", "blobs/sha256", "packages", "packages/url", "tmp", "refs.json", "lock"})
    LMP_CHECK(check_private(home / sub));
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

std::optional<std::uint64_t> Cache::blob_size(const std::string& sha256) const {
  std::error_code ec;
  if (!has_blob(sha256)) return std::nullopt;
  std::uintmax_t size = fs::file_size(blob_path(sha256), ec);
  if (ec) return std::nullopt;
  return size;
}

Result<void> Cache::verify(const CachedPackage& entry) const {
  auto damaged = [&](const std::string& what) {
    std::string ref = entry.from_url
                          ? entry.source
                          : entry.name + (entry.version.empty() ? "" : ":" + entry.version);
    return fail(ExitCode::kFailure, "the cached copy of " + ref + " " + what,
                "run 'lmp rm " + ref + "' and pull it again");
  };
  if (!resolves_inside(home_ / "packages", entry.dir)) return damaged("lies outside the cache");
  LMP_CHECK(check_private(entry.dir.parent_path()));
  LMP_CHECK(check_private(entry.dir));
  for (const auto& f : entry.files) {
    fs::path path = entry.dir / f.name;
    LMP_CHECK(check_private(path));
    std::error_code ec;
    if (!fs::is_regular_file(fs::symlink_status(path, ec))) return damaged("lacks " + f.name);
    if (fs::file_size(path, ec) != f.size || ec)
      return damaged("was changed: " + f.name + " does not have its recorded size");
    auto digest = sha256_file(path);
    if (!digest || *digest != f.sha256)
      return damaged("was changed: " + f.name + " does not match its recorded sha256");
  }
  return {};
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

Result<CachedPackage> Cache::add(CachedPackage entry) {
  auto lock = LMP_TRY(CacheLock::acquire(home_ / "lock"));
  return add_locked(std::move(entry));
}

Result<CachedPackage> Cache::commit(CachedPackage entry, Fetched& fetched) {
  auto lock = LMP_TRY(CacheLock::acquire(home_ / "lock"));
  entry.files.clear();
  for (auto& [temp, file] : fetched) {
    if (!temp.path().empty()) {
      LMP_CHECK(store_blob(temp, file.sha256));
    } else {
      // A blob already cached under this digest: the size the (untrusted) index or
      // descriptor declares must still be the blob's real size.
      auto size = blob_size(file.sha256);
      if (!size)
        return fail(ExitCode::kFailure,
                    "the cached copy of " + file.name + " was removed during the download",
                    "another lmp removed it (lmp rm); run the command again");
      if (*size != file.size)
        return fail(ExitCode::kNetwork,
                    file.name + ": the source lists " + std::to_string(file.size) +
                        " bytes for sha256:" + file.sha256 + ", but that content has " +
                        std::to_string(*size) + " bytes",
                    "the index or manifest is wrong; nothing was cached");
    }
    entry.files.push_back(file);
  }
  return add_locked(std::move(entry));
}

Result<CachedPackage> Cache::add_locked(CachedPackage entry) {
  if (entry.files.empty()) return fail(ExitCode::kFailure, "a package without files");
  if (!is_package_name(entry.name)) entry.name = "package";
  if (!entry.version.empty() && !parse_semver(entry.version))
    return fail(ExitCode::kFailure, "bad version '" + entry.version + "' for the cache");
  entry.dir = package_dir_of(home_, entry);
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
  LMP_CHECK(create_cache_directories(staging));
  for (const auto& f : entry.files) {
    if (!has_blob(f.sha256)) return fail(ExitCode::kFailure, "blob of " + f.name + " is missing");
    fs::create_hard_link(blob_path(f.sha256), staging / f.name, ec);
    if (ec) fs::copy_file(blob_path(f.sha256), staging / f.name, ec);
    if (ec) return io_error("cannot link " + f.name + " into the cache", ec);
  }
  auto entries = LMP_TRY(load());
  LMP_CHECK(create_cache_directories(entry.dir.parent_path()));
  if (!resolves_inside(home_ / "packages", entry.dir))
    return fail(ExitCode::kFailure, entry.dir.string() + " resolves outside the cache");
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
  std::vector<CachedPackage> named;
  for (auto& e : LMP_TRY(load()))
    if (!e.from_url && e.name == name) named.push_back(std::move(e));
  if (version.empty()) {  // the highest cached version (one of unknown version sorts lowest)
    auto best = std::max_element(named.begin(), named.end(), [](const auto& a, const auto& b) {
      return compare_versions(a.version, b.version) < 0;
    });
    return best == named.end() ? std::nullopt : std::optional(std::move(*best));
  }
  std::vector<std::string> versions;
  for (const auto& e : named) versions.push_back(e.version);
  std::string picked = pick_version(version, versions);
  for (auto& e : named)
    if (!picked.empty() && e.version == picked) return std::optional(std::move(e));
  return std::optional<CachedPackage>();
}

Result<std::optional<CachedPackage>> Cache::find_url(const std::string& url) const {
  for (auto& e : LMP_TRY(load()))
    if (e.from_url && e.source == url) return std::optional(std::move(e));
  return std::optional<CachedPackage>();
}

Result<std::vector<CachedPackage>> Cache::remove(const std::string& name,
                                                 const std::string& version, bool by_url) {
  auto lock = LMP_TRY(CacheLock::acquire(home_ / "lock"));
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
    // e.dir was computed from a checked name (from_json); symbolic links inside the cache
    // must not lead the removal elsewhere either.
    if (!resolves_inside(home_ / "packages", e.dir)) continue;
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
  for (const auto& j : root["packages"])
    entries.push_back(LMP_TRY(from_json(j, home_, entries.size())));
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
