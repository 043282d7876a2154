#include "hub/sqlite_storage.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include "hub/sqlite_test_util.h"

namespace lmp::hub {
namespace {

using testing::make_version;
using SqliteStorageTest = testing::StorageFixture;

TEST_F(SqliteStorageTest, UsersRoundTrip) {
  auto found = storage_->find_user("alice");
  ASSERT_TRUE(found && *found);
  EXPECT_EQ((*found)->user.id, alice_.id);
  EXPECT_EQ((*found)->user.email, "alice@example.org");
  EXPECT_TRUE((*found)->user.admin);
  EXPECT_GT((*found)->user.created, 0);
  EXPECT_EQ((*found)->password_hash, "hash-a");

  auto by_id = storage_->user_by_id(bob_.id);
  ASSERT_TRUE(by_id && *by_id);
  EXPECT_EQ((*by_id)->name, "bob");
  EXPECT_FALSE((*by_id)->admin);

  auto missing = storage_->find_user("carol");
  ASSERT_TRUE(missing);
  EXPECT_FALSE(*missing);

  auto users = storage_->list_users();
  ASSERT_TRUE(users);
  ASSERT_EQ(users->size(), 2u);
  EXPECT_EQ((*users)[0].name, "alice");
  EXPECT_EQ((*users)[1].name, "bob");
}

TEST_F(SqliteStorageTest, DuplicateUserIsConflict) {
  auto again = storage_->create_user("alice", "", "h", false);
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, ExitCode::kConflict);
  EXPECT_EQ(again.error().message, "user alice exists already");
}

TEST_F(SqliteStorageTest, SetPassword) {
  ASSERT_TRUE(storage_->set_password(bob_.id, "new-hash"));
  EXPECT_EQ((*storage_->find_user("bob"))->password_hash, "new-hash");
  auto missing = storage_->set_password(9999, "x");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, ExitCode::kNotFound);
}

TEST_F(SqliteStorageTest, TokensAreUsedListedAndRevoked) {
  auto laptop = storage_->create_token(alice_.id, "laptop", "hash-laptop", 0);
  auto ci = storage_->create_token(alice_.id, "ci", "hash-ci", 0);
  auto bobs = storage_->create_token(bob_.id, "bob", "hash-bob", 0);
  ASSERT_TRUE(laptop && ci && bobs);
  EXPECT_EQ(laptop->last_used, 0);

  auto user = storage_->use_token("hash-laptop", 1234);
  ASSERT_TRUE(user && *user);
  EXPECT_EQ((*user)->name, "alice");
  auto tokens = storage_->list_tokens(alice_.id);
  ASSERT_TRUE(tokens);
  ASSERT_EQ(tokens->size(), 2u);
  EXPECT_EQ((*tokens)[0].name, "laptop");
  EXPECT_EQ((*tokens)[0].last_used, 1234);
  EXPECT_EQ((*tokens)[1].last_used, 0);

  // Bob cannot revoke Alice's token.
  auto foreign = storage_->revoke_token(bob_.id, laptop->id);
  ASSERT_FALSE(foreign);
  EXPECT_EQ(foreign.error().code, ExitCode::kNotFound);
  ASSERT_TRUE(storage_->revoke_token(alice_.id, laptop->id));
  EXPECT_FALSE(*storage_->use_token("hash-laptop", 1300));
  EXPECT_FALSE(storage_->revoke_token(alice_.id, laptop->id));

  ASSERT_TRUE(storage_->revoke_token_by_hash("hash-ci"));
  EXPECT_FALSE(*storage_->use_token("hash-ci", 1300));
  EXPECT_EQ(storage_->revoke_token_by_hash("hash-ci").error().code, ExitCode::kNotFound);
  EXPECT_TRUE(*storage_->use_token("hash-bob", 1300));
  EXPECT_TRUE(storage_->list_tokens(alice_.id)->empty());
  EXPECT_FALSE(*storage_->use_token("unknown", 1));
}

TEST_F(SqliteStorageTest, ExpiredTokensAuthenticateNobody) {
  auto token = storage_->create_token(alice_.id, "short", "hash-short", 2000);
  ASSERT_TRUE(token);
  EXPECT_EQ(token->expires, 2000);
  EXPECT_TRUE(*storage_->use_token("hash-short", 1999));
  EXPECT_FALSE(*storage_->use_token("hash-short", 2000));
  EXPECT_FALSE(*storage_->use_token("hash-short", 5000));
  EXPECT_EQ(storage_->list_tokens(alice_.id)->at(0).expires, 2000);  // still listed
}

TEST_F(SqliteStorageTest, TokenOfUnknownUserIsNotFound) {
  auto token = storage_->create_token(424242, "x", "h", 0);
  ASSERT_FALSE(token);
  EXPECT_EQ(token.error().code, ExitCode::kNotFound);
}

TEST_F(SqliteStorageTest, SessionsExpire) {
  // Far in the future, so create_session's sweep of expired sessions keeps it.
  const UnixTime expires = 4000000000;
  ASSERT_TRUE(storage_->create_session("s1", Session{bob_.id, "csrf", expires}));
  auto live = storage_->find_session("s1", expires - 1);
  ASSERT_TRUE(live && *live);
  EXPECT_EQ((*live)->user_id, bob_.id);
  EXPECT_EQ((*live)->csrf_token, "csrf");
  EXPECT_EQ((*live)->expires, expires);
  EXPECT_FALSE(*storage_->find_session("s1", expires));
  EXPECT_FALSE(*storage_->find_session("s2", 0));

  ASSERT_TRUE(storage_->delete_session("s1"));
  EXPECT_FALSE(*storage_->find_session("s1", 0));
}

TEST_F(SqliteStorageTest, ExpiredSessionsAreSweptOnCreate) {
  ASSERT_TRUE(storage_->create_session("old", Session{bob_.id, "c", 10}));
  ASSERT_TRUE(storage_->create_session("new", Session{bob_.id, "c", 4000000000}));
  EXPECT_FALSE(*storage_->find_session("old", 0));
  EXPECT_TRUE(*storage_->find_session("new", 0));
}

TEST_F(SqliteStorageTest, DownloadsCountThirtyDayWindow) {
  publish_ok(make_version("tcpstat", "1.0.0"), alice_);
  publish_ok(make_version("tcpstat", "1.1.0"), alice_);
  const UnixDay today = 20000;
  ASSERT_TRUE(storage_->add_downloads({{"tcpstat", "1.0.0", today - 30, 100},
                                       {"tcpstat", "1.0.0", today - 29, 10},
                                       {"tcpstat", "1.1.0", today, 1}}));
  // Adding to an existing day adds up.
  ASSERT_TRUE(storage_->add_downloads({{"tcpstat", "1.1.0", today, 2}}));
  ASSERT_TRUE(storage_->add_downloads({}));

  auto record = storage_->package("tcpstat", today);
  ASSERT_TRUE(record && *record);
  EXPECT_EQ((*record)->downloads, 113);
  EXPECT_EQ((*record)->downloads_30d, 13);
  ASSERT_EQ((*record)->versions.size(), 2u);
  EXPECT_EQ((*record)->versions[0].version, "1.1.0");
  EXPECT_EQ((*record)->versions[0].downloads, 3);
  EXPECT_EQ((*record)->versions[1].downloads, 110);

  // The next day, today - 29 leaves the window.
  EXPECT_EQ((*storage_->package("tcpstat", today + 1))->downloads_30d, 3);

  auto days = storage_->downloads_by_day("tcpstat", today, 30);
  ASSERT_TRUE(days);
  ASSERT_EQ(days->size(), 30u);
  EXPECT_EQ(days->front().day, today - 29);
  EXPECT_EQ(days->front().count, 10);
  EXPECT_EQ((*days)[1].count, 0);
  EXPECT_EQ(days->back().day, today);
  EXPECT_EQ(days->back().count, 3);
  EXPECT_EQ(storage_->downloads_by_day("tcpstat", today, 0)->size(), 1u);
}

TEST_F(SqliteStorageTest, ReopenedFileKeepsData) {
  publish_ok(make_version("tcpstat", "1.0.0"), alice_);
  ASSERT_TRUE(storage_->create_token(bob_.id, "laptop", "hash-laptop", 0));
  ASSERT_TRUE(storage_->add_downloads({{"tcpstat", "1.0.0", 100, 7}}));
  auto generation = *storage_->index_generation();
  storage_.reset();

  auto reopened = SqliteStorage::open(db_path_);
  ASSERT_TRUE(reopened) << reopened.error().message;
  auto& s = **reopened;
  EXPECT_TRUE(*s.find_user("alice"));
  EXPECT_EQ((*s.use_token("hash-laptop", 1))->name, "bob");
  auto record = s.package("tcpstat", 100);
  ASSERT_TRUE(record && *record);
  EXPECT_EQ((*record)->downloads, 7);
  EXPECT_EQ((*record)->owners, std::vector<std::string>{"alice"});
  EXPECT_EQ(*s.index_generation(), generation);
  auto page = s.list_packages(PackageQuery{.text = "tcpstat"}, 100);
  ASSERT_TRUE(page);
  EXPECT_EQ(page->total, 1);
}

TEST_F(SqliteStorageTest, DatabaseIsInWalMode) {
  storage_.reset();
  sqlite3* raw = nullptr;
  ASSERT_EQ(sqlite3_open(db_path_.c_str(), &raw), SQLITE_OK);
  sqlite::ConnectionPtr db(raw);
  sqlite3_stmt* stmt = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(raw, "PRAGMA journal_mode", -1, &stmt, nullptr), SQLITE_OK);
  sqlite::StatementPtr owned(stmt);
  ASSERT_EQ(sqlite3_step(stmt), SQLITE_ROW);
  EXPECT_STREQ(reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0)), "wal");
}

TEST_F(SqliteStorageTest, NewerSchemaIsRefused) {
  storage_.reset();
  {
    sqlite3* raw = nullptr;
    ASSERT_EQ(sqlite3_open(db_path_.c_str(), &raw), SQLITE_OK);
    sqlite::ConnectionPtr db(raw);
    ASSERT_EQ(sqlite3_exec(raw, "PRAGMA user_version = 99", nullptr, nullptr, nullptr), SQLITE_OK);
  }
  auto reopened = SqliteStorage::open(db_path_);
  ASSERT_FALSE(reopened);
  EXPECT_NE(reopened.error().message.find("schema version 99 is newer"), std::string::npos)
      << reopened.error().message;
}

TEST(SqliteStorageMemoryTest, InMemoryDatabaseWorks) {
  auto storage = SqliteStorage::open(":memory:");
  ASSERT_TRUE(storage) << storage.error().message;
  auto user = (*storage)->create_user("alice", "", "h", false);
  ASSERT_TRUE(user);
  ASSERT_TRUE((*storage)->publish(make_version("tcpstat", "1.0.0"), user->id));
  EXPECT_EQ((*storage)->index()->packages.size(), 1u);
}

TEST(SqliteStorageOpenTest, UnopenableFileIsAnError) {
  auto storage = SqliteStorage::open("/nonexistent-dir/sub/hub.db");
  ASSERT_FALSE(storage);
  EXPECT_EQ(storage.error().code, ExitCode::kFailure);
  EXPECT_NE(storage.error().message.find("/nonexistent-dir/sub/hub.db"), std::string::npos);
}

}  // namespace
}  // namespace lmp::hub
