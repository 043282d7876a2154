#include "hub/sqlite_db.h"

#include <nlohmann/json.hpp>

namespace lmp::hub::sqlite {
namespace {

std::unexpected<Error> database_error(sqlite3* db, int rc, const std::string& what) {
  std::string message = "database: " + what + ": " + (db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
  if ((rc & 0xff) == SQLITE_CONSTRAINT) return fail(ExitCode::kConflict, std::move(message));
  return fail(ExitCode::kFailure, std::move(message));
}

}  // namespace

Query::~Query() {
  if (stmt_) {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }
}

Query::Query(Query&& other) noexcept
    : db_(other.db_), stmt_(other.stmt_), next_index_(other.next_index_) {
  other.stmt_ = nullptr;
}

Query& Query::bind(std::int64_t value) {
  sqlite3_bind_int64(stmt_, next_index_++, value);
  return *this;
}

Query& Query::bind(std::string_view value) {
  sqlite3_bind_text64(stmt_, next_index_++, value.data(), value.size(), SQLITE_TRANSIENT,
                      SQLITE_UTF8);
  return *this;
}

Query& Query::bind_named(const char* name, std::int64_t value) {
  if (int index = sqlite3_bind_parameter_index(stmt_, name); index > 0)
    sqlite3_bind_int64(stmt_, index, value);
  return *this;
}

Query& Query::bind_named(const char* name, std::string_view value) {
  if (int index = sqlite3_bind_parameter_index(stmt_, name); index > 0)
    sqlite3_bind_text64(stmt_, index, value.data(), value.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
  return *this;
}

Result<bool> Query::step() {
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return database_error(db_, rc, std::string(sqlite3_sql(stmt_)).substr(0, 60));
}

Result<void> Query::run() {
  while (LMP_TRY(step())) {
  }
  return {};
}

std::string Query::text(int column) const {
  const auto* data = sqlite3_column_text(stmt_, column);
  if (!data) return {};
  return std::string(reinterpret_cast<const char*>(data),
                     static_cast<std::size_t>(sqlite3_column_bytes(stmt_, column)));
}

Result<Database> Database::open(const std::filesystem::path& path) {
  sqlite3* raw = nullptr;
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
  int rc = sqlite3_open_v2(path.c_str(), &raw, flags, nullptr);
  ConnectionPtr db(raw);
  if (rc != SQLITE_OK) {
    std::string why = raw ? sqlite3_errmsg(raw) : sqlite3_errstr(rc);
    return fail(ExitCode::kFailure, "cannot open database " + path.string() + ": " + why);
  }
  sqlite3_extended_result_codes(db.get(), 1);
  return Database(std::move(db));
}

Result<void> Database::exec(const std::string& sql) {
  char* message = nullptr;
  int rc = sqlite3_exec(db_.get(), sql.c_str(), nullptr, nullptr, &message);
  if (rc == SQLITE_OK) return {};
  std::string why = message ? message : sqlite3_errstr(rc);
  sqlite3_free(message);
  auto first_line = sql.substr(0, sql.find('\n'));
  Error error{ExitCode::kFailure, "database: " + first_line + ": " + why, {}};
  if ((rc & 0xff) == SQLITE_CONSTRAINT) error.code = ExitCode::kConflict;
  return std::unexpected(std::move(error));
}

Result<Query> Database::query(const std::string& sql) {
  auto it = statements_.find(sql);
  if (it == statements_.end()) {
    sqlite3_stmt* raw = nullptr;
    int rc = sqlite3_prepare_v3(db_.get(), sql.c_str(), static_cast<int>(sql.size()),
                                SQLITE_PREPARE_PERSISTENT, &raw, nullptr);
    StatementPtr stmt(raw);
    if (rc != SQLITE_OK) return database_error(db_.get(), rc, "preparing " + sql.substr(0, 60));
    it = statements_.emplace(sql, std::move(stmt)).first;
  }
  return Query(db_.get(), it->second.get());
}

Result<Transaction> Transaction::begin(Database& db) {
  LMP_CHECK(db.exec("BEGIN IMMEDIATE"));
  return Transaction(&db);
}

Transaction::~Transaction() {
  if (db_) (void)db_->exec("ROLLBACK");
}

Result<void> Transaction::commit() {
  auto result = db_->exec("COMMIT");
  if (!result) return result;  // the destructor rolls back
  db_ = nullptr;
  return {};
}

std::string to_json_array(const std::vector<std::string>& items) {
  return nlohmann::json(items).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::vector<std::string> from_json_array(std::string_view text) {
  auto parsed = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  std::vector<std::string> items;
  if (!parsed.is_array()) return items;
  for (const auto& item : parsed)
    if (item.is_string()) items.push_back(item.get<std::string>());
  return items;
}

}  // namespace lmp::hub::sqlite
