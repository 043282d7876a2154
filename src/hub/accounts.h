// Accounts: registration, password logins (argon2id, rate-limited per account and per
// address), API tokens and web store sessions. The HTTP API (api_routes.cpp), the store
// (store_routes.cpp) and the admin commands (main.cpp) all go through this one class.
// Secrets (passwords, tokens, session cookies) are never logged and never stored in clear:
// passwords as crypto_pwhash_str (argon2id), tokens and sessions as SHA-256 hex.
#pragma once

#include <chrono>
#include <optional>
#include <string>

#include "common/result.h"
#include "hub/rate_limiter.h"
#include "hub/storage.h"

namespace lmp::hub {

inline constexpr std::size_t kMinPasswordBytes = 8;
inline constexpr std::size_t kMaxPasswordBytes = 1024;
inline constexpr std::size_t kMaxLoginFailuresPerAccount = 5;
inline constexpr std::size_t kMaxLoginFailuresPerAddress = 20;
inline constexpr std::chrono::minutes kLoginWindow{15};
inline constexpr std::chrono::hours kSessionLifetime{24 * 14};
// Tokens made by a password login (`lmp login`) expire after this by default
// (`lmp-hub serve --token-days`); tokens made on purpose may live at most kMaxTokenLifetime.
inline constexpr std::chrono::days kLoginTokenLifetime{90};
inline constexpr std::chrono::seconds kMaxTokenLifetime{std::chrono::days(3660)};
inline constexpr std::size_t kMaxTokenNameBytes = 100;

// A new secret: shown once, its hash stored.
struct IssuedToken {
  TokenInfo info;
  std::string secret;  // "lmp_" + 43 base64url characters
};

struct IssuedSession {
  std::string secret;  // the cookie value
  Session session;
};

// Argon2id hash of a password in libsodium's crypto_pwhash_str format (interactive limits).
Result<std::string> hash_password(const std::string& password);
bool verify_password(const std::string& hash, const std::string& password);
// SHA-256 hex of a token or session secret, as stored.
std::string hash_secret(const std::string& secret);
// `bytes` random bytes as base64url without padding (libsodium randombytes).
std::string random_secret(std::size_t bytes);

class Accounts {
 public:
  explicit Accounts(Storage& storage);

  // kUsage for a bad name, a bad email (when given: one '@', no spaces, at most 254 bytes)
  // or a password outside the length limits; kConflict when the name is taken.
  Result<User> register_user(const std::string& name, const std::string& email,
                             const std::string& password, bool admin = false);
  // kUsage for a password outside the length limits; kNotFound for an unknown user.
  Result<void> set_password(const std::string& name, const std::string& password);

  // Checks the per-address and per-account failure limits first: when either refuses, the
  // result has no user and `retry_after` > 0 (HTTP 429 with Retry-After), and the password
  // is not checked. A wrong name and a wrong password are the same kPermission error (and
  // cost the same hash verification), each recorded as a failure against both limits; a
  // success clears the account's failures.
  struct LoginResult {
    std::optional<User> user;             // set on success
    std::chrono::seconds retry_after{0};  // > 0: refused by the rate limiter
  };
  Result<LoginResult> login(const std::string& name, const std::string& password,
                            const std::string& address);

  // kUsage when `token_name` is longer than kMaxTokenNameBytes.
  // A `lifetime` of zero: the token never expires.
  Result<IssuedToken> create_token(const User& user, const std::string& token_name,
                                   std::chrono::seconds lifetime = std::chrono::seconds(0));
  // The token's user, nullopt when unknown or revoked ("Bearer " already stripped).
  Result<std::optional<User>> authenticate_token(const std::string& secret);
  // kNotFound when the token is unknown or revoked already.
  Result<void> revoke_token(const std::string& secret);

  Result<IssuedSession> create_session(const User& user);
  // The session and its user; nullopt when unknown or expired.
  struct SessionUser {
    Session session;
    User user;
  };
  Result<std::optional<SessionUser>> find_session(const std::string& secret);
  Result<void> end_session(const std::string& secret);

  Storage& storage() { return storage_; }

 private:
  Storage& storage_;
  RateLimiter per_account_;
  RateLimiter per_address_;
};

}  // namespace lmp::hub
