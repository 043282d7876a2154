// A small RAII layer over one sqlite3 connection: the connection, cached prepared
// statements, a query in use (binds, steps, reads, then resets itself) and an IMMEDIATE
// transaction that rolls back unless committed. Not thread-safe: the owner serialises calls
// (SqliteStorage holds a mutex).
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/result.h"

namespace lmp::hub::sqlite {

struct ConnectionDeleter {
  void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};
struct StatementDeleter {
  void operator()(sqlite3_stmt* stmt) const { sqlite3_finalize(stmt); }
};
using ConnectionPtr = std::unique_ptr<sqlite3, ConnectionDeleter>;
using StatementPtr = std::unique_ptr<sqlite3_stmt, StatementDeleter>;

// A cached statement while in use. Parameters bind from index 1 in call order; the
// statement is reset and its bindings cleared when the Query goes away. Errors are kFailure
// ("database: ..."), except constraint violations, which are kConflict so that callers can
// map a UNIQUE clash to "exists already".
class Query {
 public:
  Query(sqlite3* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}
  ~Query();
  Query(Query&& other) noexcept;
  Query(const Query&) = delete;
  Query& operator=(const Query&) = delete;
  Query& operator=(Query&&) = delete;

  Query& bind(std::int64_t value);
  Query& bind(int value) { return bind(static_cast<std::int64_t>(value)); }
  Query& bind(bool value) { return bind(static_cast<std::int64_t>(value ? 1 : 0)); }
  Query& bind(std::string_view value);
  Query& bind(const std::string& value) { return bind(std::string_view(value)); }
  Query& bind(const char* value) { return bind(std::string_view(value)); }
  template <typename... Args>
  Query& bind_all(const Args&... args) {
    (bind(args), ...);
    return *this;
  }

  // Binds a named parameter (":name"); a name the SQL does not use is ignored, so one
  // binding list serves SQL assembled from optional parts.
  Query& bind_named(const char* name, std::int64_t value);
  Query& bind_named(const char* name, std::string_view value);

  // True when a row is ready to read, false when the statement is done.
  Result<bool> step();
  // Steps to the end, ignoring rows (INSERT, UPDATE, DELETE).
  Result<void> run();

  std::int64_t integer(int column) const { return sqlite3_column_int64(stmt_, column); }
  std::string text(int column) const;
  bool is_null(int column) const { return sqlite3_column_type(stmt_, column) == SQLITE_NULL; }

 private:
  sqlite3* db_;
  sqlite3_stmt* stmt_;
  int next_index_ = 1;
};

class Database {
 public:
  // Opens (creating) the file, or an in-memory database for ":memory:".
  static Result<Database> open(const std::filesystem::path& path);

  // Runs SQL text without parameters (schema, pragmas); several statements allowed.
  Result<void> exec(const std::string& sql);
  // A statement prepared once per SQL text and reused.
  Result<Query> query(const std::string& sql);

  std::int64_t last_insert_rowid() const { return sqlite3_last_insert_rowid(db_.get()); }
  // Rows changed by the last INSERT, UPDATE or DELETE.
  int changes() const { return sqlite3_changes(db_.get()); }
  sqlite3* handle() const { return db_.get(); }

 private:
  explicit Database(ConnectionPtr db) : db_(std::move(db)) {}

  // Declared after the connection, so the statements are finalised first. A statement
  // serves one Query at a time.
  ConnectionPtr db_;
  std::unordered_map<std::string, StatementPtr> statements_;
};

// BEGIN IMMEDIATE (takes the write lock at once, waiting up to the busy timeout); rolls back
// in the destructor unless commit() succeeded.
class Transaction {
 public:
  static Result<Transaction> begin(Database& db);
  ~Transaction();
  Transaction(Transaction&& other) noexcept : db_(other.db_) { other.db_ = nullptr; }
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  Transaction& operator=(Transaction&&) = delete;

  Result<void> commit();

 private:
  explicit Transaction(Database* db) : db_(db) {}
  Database* db_;  // null once committed or rolled back
};

// Lists of strings (tags, program types) are stored as JSON arrays in a TEXT column, so
// SQL can filter them with json_each(). Text that is not such an array reads as empty.
std::string to_json_array(const std::vector<std::string>& items);
std::vector<std::string> from_json_array(std::string_view text);

}  // namespace lmp::hub::sqlite
