#include "hub/accounts.h"

#include <gtest/gtest.h>

#include "hub/sqlite_storage.h"

namespace lmp::hub {
namespace {

class AccountsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto opened = SqliteStorage::open(":memory:");
    ASSERT_TRUE(opened) << opened.error().message;
    storage_ = std::move(*opened);
    accounts_ = std::make_unique<Accounts>(*storage_);
    auto alice = accounts_->register_user("alice", "alice@example.org", "correct horse");
    ASSERT_TRUE(alice) << alice.error().message;
    alice_ = *alice;
  }

  std::unique_ptr<SqliteStorage> storage_;
  std::unique_ptr<Accounts> accounts_;
  User alice_;
};

TEST(AccountsSecretsTest, PasswordHashIsArgon2idAndVerifies) {
  auto hash = hash_password("s3cret-pass");
  ASSERT_TRUE(hash);
  EXPECT_TRUE(hash->starts_with("$argon2id$")) << *hash;
  EXPECT_TRUE(verify_password(*hash, "s3cret-pass"));
  EXPECT_FALSE(verify_password(*hash, "s3cret-pasS"));
  EXPECT_FALSE(verify_password("", "s3cret-pass"));
  EXPECT_FALSE(verify_password("not a hash", "s3cret-pass"));
  // Salted: the same password hashes differently each time.
  EXPECT_NE(*hash_password("s3cret-pass"), *hash);
}

TEST(AccountsSecretsTest, SecretsAndTheirHashes) {
  auto a = random_secret(32);
  EXPECT_EQ(a.size(), 43u);
  EXPECT_EQ(a.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"),
            std::string::npos);
  EXPECT_NE(random_secret(32), a);
  EXPECT_EQ(hash_secret("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST_F(AccountsTest, RegistrationValidates) {
  auto stored = storage_->find_user("alice");
  ASSERT_TRUE(stored && *stored);
  EXPECT_TRUE(verify_password((*stored)->password_hash, "correct horse"));
  EXPECT_FALSE((*stored)->user.admin);

  EXPECT_EQ(accounts_->register_user("Alice", "", "long enough").error().code, ExitCode::kUsage);
  EXPECT_EQ(accounts_->register_user("-bob", "", "long enough").error().code, ExitCode::kUsage);
  EXPECT_EQ(accounts_->register_user(std::string(65, 'b'), "", "long enough").error().code,
            ExitCode::kUsage);
  EXPECT_EQ(accounts_->register_user("bob", "", "short").error().code, ExitCode::kUsage);
  EXPECT_EQ(accounts_->register_user("bob", "", std::string(1025, 'x')).error().code,
            ExitCode::kUsage);
  EXPECT_EQ(accounts_->register_user("bob", "no-at-sign", "long enough").error().code,
            ExitCode::kUsage);
  EXPECT_EQ(accounts_->register_user("bob", "a b@c", "long enough").error().code, ExitCode::kUsage);
  EXPECT_EQ(accounts_->register_user("alice", "", "long enough").error().code, ExitCode::kConflict);
  auto admin = accounts_->register_user("root.admin_1", "", std::string(8, 'x'), true);
  ASSERT_TRUE(admin) << admin.error().message;
  EXPECT_TRUE(admin->admin);
}

TEST_F(AccountsTest, LoginSucceedsWithTheRightPassword) {
  auto result = accounts_->login("alice", "correct horse", "10.0.0.1");
  ASSERT_TRUE(result) << result.error().message;
  ASSERT_TRUE(result->user);
  EXPECT_EQ(result->user->id, alice_.id);
  EXPECT_EQ(result->retry_after.count(), 0);
}

TEST_F(AccountsTest, WrongUserAndWrongPasswordLookTheSame) {
  auto wrong_password = accounts_->login("alice", "wrong horse", "10.0.0.1");
  auto wrong_user = accounts_->login("mallory", "correct horse", "10.0.0.1");
  ASSERT_FALSE(wrong_password);
  ASSERT_FALSE(wrong_user);
  EXPECT_EQ(wrong_password.error().code, ExitCode::kPermission);
  EXPECT_EQ(wrong_user.error().code, ExitCode::kPermission);
  EXPECT_EQ(wrong_password.error().message, wrong_user.error().message);
  EXPECT_EQ(wrong_password.error().hint, wrong_user.error().hint);
}

TEST_F(AccountsTest, AccountIsLimitedAfterFiveFailures) {
  for (std::size_t i = 0; i < kMaxLoginFailuresPerAccount; ++i) {
    // From different addresses: the account's own limit applies.
    auto r = accounts_->login("alice", "wrong", "10.0.0." + std::to_string(i));
    ASSERT_FALSE(r);
  }
  auto refused = accounts_->login("alice", "correct horse", "10.0.1.1");
  ASSERT_TRUE(refused) << refused.error().message;
  EXPECT_FALSE(refused->user);
  EXPECT_GT(refused->retry_after.count(), 0);
  EXPECT_LE(refused->retry_after, std::chrono::seconds(kLoginWindow));
  // Other accounts are not affected.
  ASSERT_TRUE(accounts_->register_user("bob", "", "bob's password"));
  auto bob = accounts_->login("bob", "bob's password", "10.0.1.1");
  ASSERT_TRUE(bob && bob->user);
}

TEST_F(AccountsTest, SuccessResetsTheAccountsFailures) {
  for (std::size_t i = 0; i + 1 < kMaxLoginFailuresPerAccount; ++i)
    ASSERT_FALSE(accounts_->login("alice", "wrong", "10.0.0.1"));
  ASSERT_TRUE(accounts_->login("alice", "correct horse", "10.0.0.1")->user);
  for (std::size_t i = 0; i + 1 < kMaxLoginFailuresPerAccount; ++i)
    ASSERT_FALSE(accounts_->login("alice", "wrong", "10.0.0.2"));
  EXPECT_TRUE(accounts_->login("alice", "correct horse", "10.0.0.2")->user);
}

TEST_F(AccountsTest, AddressIsLimitedAcrossAccounts) {
  for (std::size_t i = 0; i < kMaxLoginFailuresPerAddress; ++i)
    ASSERT_FALSE(accounts_->login("user" + std::to_string(i), "guess", "192.0.2.7"));
  auto refused = accounts_->login("alice", "correct horse", "192.0.2.7");
  ASSERT_TRUE(refused);
  EXPECT_FALSE(refused->user);
  EXPECT_GT(refused->retry_after.count(), 0);
  // The account itself is fine from elsewhere.
  EXPECT_TRUE(accounts_->login("alice", "correct horse", "192.0.2.8")->user);
}

TEST_F(AccountsTest, SetPassword) {
  ASSERT_TRUE(accounts_->set_password("alice", "battery staple"));
  EXPECT_FALSE(accounts_->login("alice", "correct horse", "10.0.0.1"));
  EXPECT_TRUE(accounts_->login("alice", "battery staple", "10.0.0.1")->user);
  EXPECT_EQ(accounts_->set_password("alice", "short").error().code, ExitCode::kUsage);
  EXPECT_EQ(accounts_->set_password("nobody", "long enough").error().code, ExitCode::kNotFound);
}

TEST_F(AccountsTest, TokensAuthenticateUntilRevoked) {
  auto token = accounts_->create_token(alice_, "laptop");
  ASSERT_TRUE(token) << token.error().message;
  EXPECT_TRUE(token->secret.starts_with("lmp_"));
  EXPECT_EQ(token->secret.size(), 4u + 43u);
  EXPECT_EQ(token->info.name, "laptop");
  EXPECT_EQ(token->info.user_id, alice_.id);

  // Only the hash is stored.
  auto tokens = storage_->list_tokens(alice_.id);
  ASSERT_TRUE(tokens);
  ASSERT_EQ(tokens->size(), 1u);
  EXPECT_TRUE(*storage_->use_token(hash_secret(token->secret), 1));
  EXPECT_FALSE(*storage_->use_token(token->secret, 1));

  auto user = accounts_->authenticate_token(token->secret);
  ASSERT_TRUE(user && *user);
  EXPECT_EQ((*user)->name, "alice");
  EXPECT_GT(storage_->list_tokens(alice_.id)->at(0).last_used, 1);
  EXPECT_FALSE(*accounts_->authenticate_token("lmp_wrong"));
  EXPECT_FALSE(*accounts_->authenticate_token(""));
  EXPECT_FALSE(*accounts_->authenticate_token(token->secret.substr(4)));

  ASSERT_TRUE(accounts_->revoke_token(token->secret));
  EXPECT_FALSE(*accounts_->authenticate_token(token->secret));
  EXPECT_EQ(accounts_->revoke_token(token->secret).error().code, ExitCode::kNotFound);
  EXPECT_EQ(accounts_->create_token(alice_, std::string(101, 'n')).error().code, ExitCode::kUsage);
}

TEST_F(AccountsTest, SessionsFindAndEnd) {
  auto issued = accounts_->create_session(alice_);
  ASSERT_TRUE(issued) << issued.error().message;
  EXPECT_EQ(issued->secret.size(), 43u);
  EXPECT_EQ(issued->session.csrf_token.size(), 43u);
  EXPECT_NE(issued->secret, issued->session.csrf_token);
  auto now = std::chrono::duration_cast<std::chrono::seconds>(
                 std::chrono::system_clock::now().time_since_epoch())
                 .count();
  auto lifetime = std::chrono::duration_cast<std::chrono::seconds>(kSessionLifetime).count();
  EXPECT_NEAR(static_cast<double>(issued->session.expires), static_cast<double>(now + lifetime),
              5.0);

  auto found = accounts_->find_session(issued->secret);
  ASSERT_TRUE(found && *found);
  EXPECT_EQ((*found)->user.name, "alice");
  EXPECT_EQ((*found)->session.csrf_token, issued->session.csrf_token);
  // Stored by hash only; expired at the storage's clock.
  EXPECT_FALSE(*storage_->find_session(issued->secret, now));
  EXPECT_FALSE(*storage_->find_session(hash_secret(issued->secret), issued->session.expires));

  EXPECT_FALSE(*accounts_->find_session("unknown"));
  ASSERT_TRUE(accounts_->end_session(issued->secret));
  EXPECT_FALSE(*accounts_->find_session(issued->secret));
}

}  // namespace
}  // namespace lmp::hub
