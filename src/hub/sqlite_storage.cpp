// SqliteStorage: opening and schema, accounts, tokens, sessions and download counts.
#include "hub/sqlite_storage.h"

#include <algorithm>
#include <chrono>

namespace lmp::hub {
namespace {

// Bump with a new entry in kMigrations for every schema change; never edit an old one.
constexpr const char* kMigrations[] = {
    // 1: the first schema.
    R"sql(
CREATE TABLE users(
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  email TEXT NOT NULL DEFAULT '',
  password_hash TEXT NOT NULL,
  admin INTEGER NOT NULL DEFAULT 0,
  created INTEGER NOT NULL);
CREATE TABLE tokens(
  id INTEGER PRIMARY KEY,
  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  hash TEXT NOT NULL UNIQUE,
  created INTEGER NOT NULL,
  last_used INTEGER NOT NULL DEFAULT 0);
CREATE INDEX tokens_by_user ON tokens(user_id);
CREATE TABLE sessions(
  hash TEXT PRIMARY KEY,
  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  csrf_token TEXT NOT NULL,
  expires INTEGER NOT NULL);
CREATE INDEX sessions_by_expiry ON sessions(expires);
CREATE TABLE packages(
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  created INTEGER NOT NULL,
  updated INTEGER NOT NULL,
  latest TEXT NOT NULL DEFAULT '');
CREATE TABLE owners(
  package_id INTEGER NOT NULL REFERENCES packages(id) ON DELETE CASCADE,
  user_id INTEGER NOT NULL REFERENCES users(id),
  position INTEGER NOT NULL,
  PRIMARY KEY(package_id, user_id));
CREATE INDEX owners_by_user ON owners(user_id);
CREATE TABLE versions(
  id INTEGER PRIMARY KEY,
  package_id INTEGER NOT NULL REFERENCES packages(id) ON DELETE CASCADE,
  version TEXT NOT NULL,
  description TEXT NOT NULL DEFAULT '',
  summary TEXT NOT NULL DEFAULT '',
  author TEXT NOT NULL DEFAULT '',
  license TEXT NOT NULL DEFAULT '',
  category TEXT NOT NULL DEFAULT '',
  homepage TEXT NOT NULL DEFAULT '',
  tags TEXT NOT NULL DEFAULT '[]',
  program_types TEXT NOT NULL DEFAULT '[]',
  readme TEXT NOT NULL DEFAULT '',
  details TEXT NOT NULL DEFAULT '',
  publisher_id INTEGER NOT NULL REFERENCES users(id),
  published INTEGER NOT NULL,
  yanked INTEGER NOT NULL DEFAULT 0,
  UNIQUE(package_id, version));
CREATE INDEX versions_by_time ON versions(published);
CREATE TABLE version_files(
  version_id INTEGER NOT NULL REFERENCES versions(id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  sha256 TEXT NOT NULL,
  size INTEGER NOT NULL,
  PRIMARY KEY(version_id, name));
CREATE TABLE downloads(
  package TEXT NOT NULL,
  version TEXT NOT NULL,
  day INTEGER NOT NULL,
  count INTEGER NOT NULL,
  PRIMARY KEY(package, version, day)) WITHOUT ROWID;
CREATE TABLE meta(key TEXT PRIMARY KEY, value INTEGER NOT NULL);
INSERT INTO meta(key, value) VALUES('index_generation', 0);
-- The latest non-yanked version of each package; rowid = packages.id.
CREATE VIRTUAL TABLE package_search USING fts5(name, description, summary, readme, tags);
)sql",
    // 2: tokens may expire; each package keeps its all-time download total (the downloads
    // sort key: summing the per-day rows of every package on every explore page was slow).
    R"sql(
ALTER TABLE tokens ADD COLUMN expires INTEGER NOT NULL DEFAULT 0;
ALTER TABLE packages ADD COLUMN downloads INTEGER NOT NULL DEFAULT 0;
UPDATE packages SET downloads =
  (SELECT COALESCE(SUM(count), 0) FROM downloads WHERE package = packages.name);
CREATE INDEX packages_by_downloads ON packages(downloads DESC, name);
)sql",
    // 3: who signed a version (its lmp.sig, verified at publish): the key's fingerprint and
    // name; empty for versions published unsigned, and for those published before.
    R"sql(
ALTER TABLE versions ADD COLUMN signer_key TEXT NOT NULL DEFAULT '';
ALTER TABLE versions ADD COLUMN signer_name TEXT NOT NULL DEFAULT '';
)sql",
    // 4: lmp check --report (hub/check_reports.cpp).
    R"sql(
CREATE TABLE check_reports(
  version_id INTEGER NOT NULL REFERENCES versions(id) ON DELETE CASCADE,
  kernel_release TEXT NOT NULL,
  arch TEXT NOT NULL,
  user_id INTEGER NOT NULL REFERENCES users(id),
  passed INTEGER NOT NULL,
  failed TEXT NOT NULL DEFAULT '[]',
  needs TEXT NOT NULL DEFAULT '',
  reported INTEGER NOT NULL,
  PRIMARY KEY(version_id, kernel_release, arch, user_id));
)sql",
};
constexpr int kSchemaVersion = static_cast<int>(std::size(kMigrations));

UnixTime now_seconds_sqlite_storage() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

constexpr const char* kUserColumns = "id, name, email, admin, created, password_hash";

UserCredentials read_user(const sqlite::Query& q) {
  UserCredentials c;
  c.user.id = q.integer(0);
  c.user.name = q.text(1);
  c.user.email = q.text(2);
  c.user.admin = q.integer(3) != 0;
  c.user.created = q.integer(4);
  c.password_hash = q.text(5);
  return c;
}

TokenInfo read_token(const sqlite::Query& q) {
  return TokenInfo{q.integer(0), q.integer(1), q.text(2), q.integer(3), q.integer(4), q.integer(5)};
}

}  // namespace

Result<std::unique_ptr<SqliteStorage>> SqliteStorage::open(const std::filesystem::path& db_path) {
  auto db = LMP_TRY(sqlite::Database::open(db_path));
  if (sqlite3_busy_timeout(db.handle(), 5000) != SQLITE_OK)
    return fail(ExitCode::kFailure, "database: cannot set the busy timeout");
  LMP_CHECK(db.exec("PRAGMA foreign_keys = ON"));
  LMP_CHECK(db.exec("PRAGMA journal_mode = WAL"));
  LMP_CHECK(db.exec("PRAGMA synchronous = NORMAL"));
  std::unique_ptr<SqliteStorage> storage(new SqliteStorage(std::move(db)));
  std::lock_guard lock(storage->mutex_);
  if (auto migrated = storage->migrate(); !migrated)
    return std::unexpected(std::move(migrated.error()).context(db_path.string()));
  return storage;
}

Result<void> SqliteStorage::migrate() {
  auto tx = LMP_TRY(sqlite::Transaction::begin(db_));
  int version = 0;
  {
    auto q = LMP_TRY(db_.query("PRAGMA user_version"));
    if (LMP_TRY(q.step())) version = static_cast<int>(q.integer(0));
  }
  if (version > kSchemaVersion) {
    return fail(ExitCode::kFailure,
                "database schema version " + std::to_string(version) +
                    " is newer than this lmp-hub knows (" + std::to_string(kSchemaVersion) + ")",
                "upgrade lmp-hub");
  }
  for (int v = version; v < kSchemaVersion; ++v) LMP_CHECK(db_.exec(kMigrations[v]));
  LMP_CHECK(db_.exec("PRAGMA user_version = " + std::to_string(kSchemaVersion)));
  return tx.commit();
}

Result<std::optional<std::int64_t>> SqliteStorage::user_id(const std::string& name) {
  auto q = LMP_TRY(db_.query("SELECT id FROM users WHERE name = ?"));
  q.bind(name);
  if (!LMP_TRY(q.step())) return std::nullopt;
  return q.integer(0);
}

// Accounts.

Result<User> SqliteStorage::create_user(const std::string& name, const std::string& email,
                                        const std::string& password_hash, bool admin) {
  std::lock_guard lock(mutex_);
  auto q = LMP_TRY(db_.query(
      "INSERT INTO users(name, email, password_hash, admin, created) VALUES(?, ?, ?, ?, ?)"));
  User user{0, name, email, admin, now_seconds_sqlite_storage()};
  auto inserted = q.bind_all(name, email, password_hash, admin, user.created).run();
  if (!inserted && inserted.error().code == ExitCode::kConflict)
    return fail(ExitCode::kConflict, "user " + name + " exists already", "pick another name");
  LMP_CHECK(inserted);
  user.id = db_.last_insert_rowid();
  return user;
}

Result<std::optional<UserCredentials>> SqliteStorage::find_user(const std::string& name) {
  std::lock_guard lock(mutex_);
  auto q = LMP_TRY(db_.query(std::string("SELECT ") + kUserColumns + " FROM users WHERE name = ?"));
  q.bind(name);
  if (!LMP_TRY(q.step())) return std::nullopt;
  return read_user(q);
}

Result<std::optional<User>> SqliteStorage::user_by_id(std::int64_t id) {
  std::lock_guard lock(mutex_);
  auto q = LMP_TRY(db_.query(std::string("SELECT ") + kUserColumns + " FROM users WHERE id = ?"));
  q.bind(id);
  if (!LMP_TRY(q.step())) return std::nullopt;
  return read_user(q).user;
}

Result<void> SqliteStorage::set_password(std::int64_t user_id, const std::string& password_hash) {
  std::lock_guard lock(mutex_);
  auto q = LMP_TRY(db_.query("UPDATE users SET password_hash = ? WHERE id = ?"));
  LMP_CHECK(q.bind_all(password_hash, user_id).run());
  if (db_.changes() == 0)
    return fail(ExitCode::kNotFound, "no user with id " + std::to_string(user_id));
  return {};
}

Result<std::vector<User>> SqliteStorage::list_users() {
  std::lock_guard lock(mutex_);
  auto q = LMP_TRY(db_.query(std::string("SELECT ") + kUserColumns + " FROM users ORDER BY name"));
  std::vector<User> users;
  while (LMP_TRY(q.step())) users.push_back(read_user(q).user);
  return users;
}

// API tokens.

Result<TokenInfo> SqliteStorage::create_token(std::int64_t user_id, const std::string& name,
                                              const std::string& token_hash, UnixTime expires) {
  std::lock_guard lock(mutex_);
  {
    auto q = LMP_TRY(db_.query("SELECT 1 FROM users WHERE id = ?"));
    if (!LMP_TRY(q.bind(user_id).step()))
      return fail(ExitCode::kNotFound, "no user with id " + std::to_string(user_id));
  }
  TokenInfo token{0, user_id, name, now_seconds_sqlite_storage(), 0, expires};
  auto q = LMP_TRY(
      db_.query("INSERT INTO tokens(user_id, name, hash, created, expires) VALUES(?, ?, ?, ?, ?)"));
  LMP_CHECK(q.bind_all(user_id, name, token_hash, token.created, expires).run());
  token.id = db_.last_insert_rowid();
  return token;
}

Result<std::optional<User>> SqliteStorage::use_token(const std::string& token_hash, UnixTime now) {
  std::lock_guard lock(mutex_);
  std::int64_t token_id = 0;
  UserCredentials found;
  {
    auto q =
        LMP_TRY(db_.query("SELECT t.id, u.id, u.name, u.email, u.admin, u.created, u.password_hash "
                          "FROM tokens t JOIN users u ON u.id = t.user_id "
                          "WHERE t.hash = ? AND (t.expires = 0 OR t.expires > ?)"));
    if (!LMP_TRY(q.bind_all(token_hash, now).step())) return std::nullopt;
    token_id = q.integer(0);
    found.user = User{q.integer(1), q.text(2), q.text(3), q.integer(4) != 0, q.integer(5)};
  }
  auto q = LMP_TRY(db_.query("UPDATE tokens SET last_used = ? WHERE id = ?"));
  LMP_CHECK(q.bind_all(now, token_id).run());
  return found.user;
}

Result<std::vector<TokenInfo>> SqliteStorage::list_tokens(std::int64_t user_id) {
  std::lock_guard lock(mutex_);
  auto q = LMP_TRY(db_.query(
      "SELECT id, user_id, name, created, last_used, expires FROM tokens WHERE user_id = ? "
      "ORDER BY id"));
  q.bind(user_id);
  std::vector<TokenInfo> tokens;
  while (LMP_TRY(q.step())) tokens.push_back(read_token(q));
  return tokens;
}

Result<void> SqliteStorage::revoke_token(std::int64_t user_id, std::int64_t token_id) {
  std::lock_guard lock(mutex_);
  auto q = LMP_TRY(db_.query("DELETE FROM tokens WHERE id = ? AND user_id = ?"));
  LMP_CHECK(q.bind_all(token_id, user_id).run());
  if (db_.changes() == 0)
    return fail(ExitCode::kNotFound, "no token " + std::to_string(token_id) + " of this user");
  return {};
}

Result<void> SqliteStorage::revoke_token_by_hash(const std::string& token_hash) {
  std::lock_guard lock(mutex_);
  auto q = LMP_TRY(db_.query("DELETE FROM tokens WHERE hash = ?"));
  LMP_CHECK(q.bind(token_hash).run());
  if (db_.changes() == 0) return fail(ExitCode::kNotFound, "no such token");
  return {};
}

// Sessions.

Result<void> SqliteStorage::create_session(const std::string& session_hash,
                                           const Session& session) {
  std::lock_guard lock(mutex_);
  {
    // Expired sessions are dropped here, so the table does not grow without bound.
    auto q = LMP_TRY(db_.query("DELETE FROM sessions WHERE expires <= ?"));
    LMP_CHECK(q.bind(now_seconds_sqlite_storage()).run());
  }
  auto q = LMP_TRY(
      db_.query("INSERT INTO sessions(hash, user_id, csrf_token, expires) VALUES(?, ?, ?, ?)"));
  auto inserted =
      q.bind_all(session_hash, session.user_id, session.csrf_token, session.expires).run();
  if (!inserted && inserted.error().code == ExitCode::kConflict)
    return fail(ExitCode::kNotFound, "cannot create a session: no user with id " +
                                         std::to_string(session.user_id) +
                                         " or the session exists");
  return inserted;
}

Result<std::optional<Session>> SqliteStorage::find_session(const std::string& session_hash,
                                                           UnixTime now) {
  std::lock_guard lock(mutex_);
  auto q = LMP_TRY(db_.query(
      "SELECT user_id, csrf_token, expires FROM sessions WHERE hash = ? AND expires > ?"));
  if (!LMP_TRY(q.bind_all(session_hash, now).step())) return std::nullopt;
  return Session{q.integer(0), q.text(1), q.integer(2)};
}

Result<void> SqliteStorage::delete_session(const std::string& session_hash) {
  std::lock_guard lock(mutex_);
  auto q = LMP_TRY(db_.query("DELETE FROM sessions WHERE hash = ?"));
  return q.bind(session_hash).run();
}

// Downloads.

Result<void> SqliteStorage::add_downloads(const std::vector<DownloadCount>& counts) {
  if (counts.empty()) return {};
  std::lock_guard lock(mutex_);
  auto tx = LMP_TRY(sqlite::Transaction::begin(db_));
  for (const auto& c : counts) {
    auto q = LMP_TRY(db_.query(
        "INSERT INTO downloads(package, version, day, count) VALUES(?, ?, ?, ?) "
        "ON CONFLICT(package, version, day) DO UPDATE SET count = count + excluded.count"));
    LMP_CHECK(q.bind_all(c.package, c.version, c.day, c.count).run());
    auto total = LMP_TRY(db_.query("UPDATE packages SET downloads = downloads + ? WHERE name = ?"));
    LMP_CHECK(total.bind_all(c.count, c.package).run());
  }
  return tx.commit();
}

Result<std::vector<DayCount>> SqliteStorage::downloads_by_day(const std::string& package,
                                                              UnixDay today, int days) {
  days = std::clamp(days, 1, kMaxDownloadDays);
  std::vector<DayCount> result(static_cast<std::size_t>(days));
  UnixDay first = today - days + 1;
  for (int i = 0; i < days; ++i) result[static_cast<std::size_t>(i)].day = first + i;
  std::lock_guard lock(mutex_);
  auto q = LMP_TRY(
      db_.query("SELECT day, SUM(count) FROM downloads WHERE package = ? AND day BETWEEN ? AND ? "
                "GROUP BY day"));
  q.bind_all(package, first, today);
  while (LMP_TRY(q.step()))
    result[static_cast<std::size_t>(q.integer(0) - first)].count = q.integer(1);
  return result;
}

}  // namespace lmp::hub
