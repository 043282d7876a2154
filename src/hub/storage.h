// The hub's database behind one narrow interface: accounts, tokens, sessions, packages,
// versions, owners and download counts. SqliteStorage (sqlite_storage.h) is the embedded
// default; a PostgreSQL backend implements the same calls (docs/hub.md, "Scaling out").
// File contents are not stored here but in the BlobStore (blob_store.h), by sha256.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/result.h"
#include "registry/index.h"

namespace lmp::hub {

// Seconds since the Unix epoch (UTC).
using UnixTime = std::int64_t;
// Days since the Unix epoch (UTC): the unit of download counting.
using UnixDay = std::int64_t;

struct User {
  std::int64_t id = 0;
  std::string name;  // same rule as package names
  std::string email;
  bool admin = false;
  UnixTime created = 0;
};

// A user with the argon2id hash of their password (crypto_pwhash_str format).
struct UserCredentials {
  User user;
  std::string password_hash;
};

// An API token as listed: the secret itself is never stored, only its hash.
struct TokenInfo {
  std::int64_t id = 0;
  std::int64_t user_id = 0;
  std::string name;  // the device or purpose given at creation, e.g. "laptop"
  UnixTime created = 0;
  UnixTime last_used = 0;  // 0 = never
  UnixTime expires = 0;    // 0 = never; an expired token authenticates nobody
};

// A web store session (cookie). Like tokens, only the hash of the cookie value is stored.
struct Session {
  std::int64_t user_id = 0;
  std::string csrf_token;  // random, sent back in every form
  UnixTime expires = 0;
};

struct StoredFile {
  std::string name;  // "package.json", "app.wasm", "README.md", "config.json", "lmp.sig"
  std::string sha256;
  std::uint64_t size = 0;
};

// Everything the hub knows of one version. `details` is JSON text computed at publish time
// from package.json (programs with attach points and program types, maps, options as
// `lmp run NAME -h` shows them, kernel requirements); the storage keeps it opaque.
struct VersionRecord {
  std::string package;
  std::string version;
  std::string description;
  std::string summary;  // README front matter `summary:`
  std::string author;
  std::string license;
  std::string category;
  std::string homepage;
  std::vector<std::string> tags;
  std::vector<std::string> program_types;  // e.g. "tracepoint", "xdp"; for filtering
  std::string readme;                      // README.md text, stored as is (never rendered here)
  std::string details;                     // JSON text, see above
  std::vector<StoredFile> files;           // sorted by name
  // Who signed it (lmp.sig, verified when published): the key's fingerprint
  // ("ed25519:...") and the name its owner gave it; both empty when unsigned.
  std::string signer_key;
  std::string signer_name;
  std::string publisher;  // user name
  UnixTime published = 0;
  bool yanked = false;
  std::int64_t downloads = 0;  // all time, this version
};

struct PackageRecord {
  std::string name;
  std::vector<std::string> owners;  // user names, first owner first
  UnixTime created = 0;
  UnixTime updated = 0;                 // when the newest version was published
  std::int64_t downloads = 0;           // all versions, all time
  std::int64_t downloads_30d = 0;       // all versions, the last 30 days including today
  std::vector<VersionRecord> versions;  // highest semver first
};

// One card of the explore page / one row of a list or search answer.
struct PackageSummary {
  std::string name;
  std::string latest;  // highest non-yanked version (the version NAME resolves to)
  std::string description;
  std::string summary;
  std::string author;
  std::string category;
  std::vector<std::string> tags;
  std::vector<std::string> program_types;
  bool has_package_json = false;
  bool has_app_wasm = false;
  UnixTime updated = 0;
  std::int64_t downloads = 0;
  std::int64_t downloads_30d = 0;
};

enum class SortOrder { kRelevance, kDownloads, kUpdated, kName };

struct PackageQuery {
  std::string text;          // full-text words; empty lists everything
  std::string category;      // exact; empty = any
  std::string program_type;  // exact; empty = any
  std::string owner;         // user name; empty = any
  // Text matches when every word is a prefix of a word of the name, description, summary,
  // readme or tags (FTS5), or when the whole text is a substring of the name ("snoop" finds
  // "opensnoop"). kRelevance with text ranks exact name, then name prefix, then name
  // substring, then FTS rank (bm25, the name weighing most), then downloads; without text
  // it means kDownloads. Ties in every order are broken by name.
  SortOrder sort = SortOrder::kRelevance;
  int page = 1;       // 1-based
  int per_page = 20;  // 1..100
};

struct PackagePage {
  std::int64_t total = 0;  // matches over all pages
  std::vector<PackageSummary> packages;
};

struct DownloadCount {
  std::string package;
  std::string version;
  UnixDay day = 0;
  std::int64_t count = 0;
};

inline constexpr int kMaxDownloadDays = 3660;

struct DayCount {
  UnixDay day = 0;
  std::int64_t count = 0;
};

// A version ready to store: its files are already in the BlobStore.
struct NewVersion {
  VersionRecord record;  // downloads and yanked are ignored
};

// One `lmp check --report` (docs/hub.md, "Check reports"): whether a version ran on a
// kernel. One row per version, kernel release, architecture and reporting user (a new report
// replaces that user's old one).
struct CheckReportRecord {
  std::string kernel_release;  // uname -r
  std::string arch;            // uname -m
  bool passed = false;
  std::vector<std::string> failed;  // ids of the failed checks
  std::string needs;                // the first failed check's `needs` (or title)
  std::string reporter;             // user name
  UnixTime reported = 0;
};

// Error contract of every call: kNotFound (no such user/package/version/token),
// kPermission (not an owner), kConflict (exists already: user, version, owner),
// kFailure (the database failed; the message names the operation).
class Storage {
 public:
  virtual ~Storage() = default;

  // Accounts.
  virtual Result<User> create_user(const std::string& name, const std::string& email,
                                   const std::string& password_hash, bool admin) = 0;
  virtual Result<std::optional<UserCredentials>> find_user(const std::string& name) = 0;
  virtual Result<std::optional<User>> user_by_id(std::int64_t id) = 0;
  virtual Result<void> set_password(std::int64_t user_id, const std::string& password_hash) = 0;
  virtual Result<std::vector<User>> list_users() = 0;

  // API tokens, looked up by the hash of the secret.
  // `expires` 0: the token never expires.
  virtual Result<TokenInfo> create_token(std::int64_t user_id, const std::string& name,
                                         const std::string& token_hash, UnixTime expires) = 0;
  // The token's owner; also records `now` as its last use. nullopt when unknown or revoked.
  virtual Result<std::optional<User>> use_token(const std::string& token_hash, UnixTime now) = 0;
  virtual Result<std::vector<TokenInfo>> list_tokens(std::int64_t user_id) = 0;
  // kNotFound when the user has no such token.
  virtual Result<void> revoke_token(std::int64_t user_id, std::int64_t token_id) = 0;
  // kNotFound when no token has this hash (unknown or revoked already).
  virtual Result<void> revoke_token_by_hash(const std::string& token_hash) = 0;

  // Web store sessions, looked up by the hash of the cookie value.
  virtual Result<void> create_session(const std::string& session_hash, const Session& session) = 0;
  // nullopt when unknown or expired at `now`.
  virtual Result<std::optional<Session>> find_session(const std::string& session_hash,
                                                      UnixTime now) = 0;
  virtual Result<void> delete_session(const std::string& session_hash) = 0;

  // Publishing, in one transaction: a new name is created with `publisher` as its only
  // owner; an existing name needs `publisher` among its owners (else kPermission); an
  // existing version is kConflict ("NAME VERSION exists already; versions are immutable",
  // hint: bump the version), also when two publishes race; an unknown publisher is kNotFound,
  // two files of one name kUsage. `record.publisher`, `downloads` and `yanked` are ignored;
  // `published` 0 means now. Bumps the index generation.
  virtual Result<void> publish(const NewVersion& version, std::int64_t publisher_id) = 0;
  // kNotFound for an unknown package or version; bumps the index generation.
  virtual Result<void> set_yanked(const std::string& package, const std::string& version,
                                  bool yanked) = 0;
  // add_owner: kConflict when already an owner. remove_owner: kNotFound when not an owner;
  // refuses to remove the last owner (kConflict). is_owner: kNotFound for an unknown package.
  virtual Result<void> add_owner(const std::string& package, const std::string& user) = 0;
  virtual Result<void> remove_owner(const std::string& package, const std::string& user) = 0;
  virtual Result<bool> is_owner(const std::string& package, std::int64_t user_id) = 0;

  // Reading.
  virtual Result<std::optional<PackageRecord>> package(const std::string& name, UnixDay today) = 0;
  // Packages whose versions are all yanked have no latest and are not listed (nor counted
  // in categories() and program_types()); package() and index() still show them.
  virtual Result<PackagePage> list_packages(const PackageQuery& query, UnixDay today) = 0;
  // Distinct categories and program types with their package counts, for the filters.
  virtual Result<std::vector<std::pair<std::string, std::int64_t>>> categories() = 0;
  virtual Result<std::vector<std::pair<std::string, std::int64_t>>> program_types() = 0;
  // Newest versions first, for the feed.
  virtual Result<std::vector<VersionRecord>> recent_versions(int limit) = 0;
  // Every package and version with files, as the static repository's index.json shows
  // them (yanked versions carry `yanked`).
  virtual Result<registry::Index> index() = 0;
  // Changes on every publish, yank and unyank: the index's ETag.
  virtual Result<std::int64_t> index_generation() = 0;

  // Check reports (hub/check_reports.cpp): kNotFound for an unknown package or version.
  virtual Result<void> add_check_report(const std::string& package, const std::string& version,
                                        const CheckReportRecord& report,
                                        std::int64_t reporter_id) = 0;
  // The version's reports, newest first.
  virtual Result<std::vector<CheckReportRecord>> check_reports(const std::string& package,
                                                               const std::string& version) = 0;

  // Download counting: the server batches counts in memory and adds them here.
  virtual Result<void> add_downloads(const std::vector<DownloadCount>& counts) = 0;
  // Per day for the last `days` days up to `today` (missing days are 0), all versions;
  // `days` is clamped to 1..kMaxDownloadDays.
  virtual Result<std::vector<DayCount>> downloads_by_day(const std::string& package, UnixDay today,
                                                         int days) = 0;
};

}  // namespace lmp::hub
