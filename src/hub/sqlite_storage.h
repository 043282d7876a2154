// The embedded Storage: one SQLite file (WAL, busy timeout 5 s, foreign keys, FTS5 search),
// one connection guarded by a mutex, statements prepared once. The schema is versioned by
// PRAGMA user_version and migrated by open(). The calls live in three files:
// sqlite_storage.cpp (schema, accounts, tokens, sessions, downloads),
// sqlite_packages.cpp (publish, yank, owners, package reads, index) and
// sqlite_search.cpp (list_packages, categories, the FTS query).
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "hub/sqlite_db.h"
#include "hub/storage.h"

namespace lmp::hub {

// The FTS5 MATCH expression for search words: each whitespace-separated word becomes a
// quoted prefix term ("word"*, quotes doubled), so no FTS5 syntax gets through; words
// without a letter or digit are dropped. Empty when no word is left.
std::string fts5_prefix_query(std::string_view text);

class SqliteStorage : public Storage {
 public:
  // Opens or creates the database at `db_path` (":memory:" for a private in-memory one) and
  // brings its schema up to date. kFailure when the file cannot be opened, or was written by
  // a newer lmp-hub (a schema version this one does not know).
  static Result<std::unique_ptr<SqliteStorage>> open(const std::filesystem::path& db_path);

  Result<User> create_user(const std::string& name, const std::string& email,
                           const std::string& password_hash, bool admin) override;
  Result<std::optional<UserCredentials>> find_user(const std::string& name) override;
  Result<std::optional<User>> user_by_id(std::int64_t id) override;
  Result<void> set_password(std::int64_t user_id, const std::string& password_hash) override;
  Result<std::vector<User>> list_users() override;

  Result<TokenInfo> create_token(std::int64_t user_id, const std::string& name,
                                 const std::string& token_hash, UnixTime expires) override;
  Result<std::optional<User>> use_token(const std::string& token_hash, UnixTime now) override;
  Result<std::vector<TokenInfo>> list_tokens(std::int64_t user_id) override;
  Result<void> revoke_token(std::int64_t user_id, std::int64_t token_id) override;
  Result<void> revoke_token_by_hash(const std::string& token_hash) override;

  Result<void> create_session(const std::string& session_hash, const Session& session) override;
  Result<std::optional<Session>> find_session(const std::string& session_hash,
                                              UnixTime now) override;
  Result<void> delete_session(const std::string& session_hash) override;

  Result<void> publish(const NewVersion& version, std::int64_t publisher_id) override;
  Result<void> set_yanked(const std::string& package, const std::string& version,
                          bool yanked) override;
  Result<void> add_owner(const std::string& package, const std::string& user) override;
  Result<void> remove_owner(const std::string& package, const std::string& user) override;
  Result<bool> is_owner(const std::string& package, std::int64_t user_id) override;

  Result<std::optional<PackageRecord>> package(const std::string& name, UnixDay today) override;
  Result<PackagePage> list_packages(const PackageQuery& query, UnixDay today) override;
  Result<std::vector<std::pair<std::string, std::int64_t>>> categories() override;
  Result<std::vector<std::pair<std::string, std::int64_t>>> program_types() override;
  Result<std::vector<VersionRecord>> recent_versions(int limit) override;
  Result<registry::Index> index() override;
  Result<std::int64_t> index_generation() override;

  Result<void> add_check_report(const std::string& package, const std::string& version,
                                const CheckReportRecord& report, std::int64_t reporter_id) override;
  Result<std::vector<CheckReportRecord>> check_reports(const std::string& package,
                                                       const std::string& version) override;

  Result<void> add_downloads(const std::vector<DownloadCount>& counts) override;
  Result<std::vector<DayCount>> downloads_by_day(const std::string& package, UnixDay today,
                                                 int days) override;

 private:
  explicit SqliteStorage(sqlite::Database db) : db_(std::move(db)) {}

  // Helpers; the caller holds mutex_.
  Result<void> migrate();
  Result<std::optional<std::int64_t>> package_id(const std::string& name);
  Result<std::optional<std::int64_t>> user_id(const std::string& name);
  // Recomputes packages.latest (highest non-yanked version), its FTS row, and bumps the
  // index generation.
  Result<void> refresh_package(std::int64_t package_id);
  Result<std::vector<StoredFile>> version_files(std::int64_t version_id);
  // The version columns of kVersionColumns (sqlite_packages.cpp) read from `query`.
  Result<VersionRecord> read_version(sqlite::Query& query);
  // Runs a (name, count) query, cached until the index generation changes: categories and
  // program types change only on publish, yank and unyank, and cost a scan of every package.
  Result<std::vector<std::pair<std::string, std::int64_t>>> counts(const std::string& sql);
  Result<std::int64_t> generation_locked();

  std::mutex mutex_;
  sqlite::Database db_;
  struct CachedCounts {
    std::int64_t generation = -1;
    std::vector<std::pair<std::string, std::int64_t>> rows;
  };
  std::map<std::string, CachedCounts> counts_cache_;  // by SQL text
};

}  // namespace lmp::hub
