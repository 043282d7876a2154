#include "hub/accounts.h"

#include <sodium.h>

#include <algorithm>
#include <vector>

#include "package/config.h"
#include "registry/digest.h"

namespace lmp::hub {
namespace {

void ensure_sodium() {
  // sodium_init is idempotent and thread-safe; it fails only without an entropy source.
  static const bool ready = sodium_init() >= 0;
  (void)ready;
}

UnixTime now_seconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// A valid hash of a random password, verified when the user does not exist so that a
// wrong name costs as much time as a wrong password.
const std::string& dummy_hash() {
  static const std::string hash = [] {
    auto hashed = hash_password(random_secret(24));
    return hashed ? *hashed : std::string();
  }();
  return hash;
}

Result<void> check_password_length(const std::string& password) {
  if (password.size() < kMinPasswordBytes || password.size() > kMaxPasswordBytes) {
    return fail(ExitCode::kUsage,
                "a password must be " + std::to_string(kMinPasswordBytes) + " to " +
                    std::to_string(kMaxPasswordBytes) + " bytes long",
                "pick a longer password");
  }
  return {};
}

bool is_plausible_email(const std::string& email) {
  if (email.size() > 254 || std::count(email.begin(), email.end(), '@') != 1) return false;
  if (email.front() == '@' || email.back() == '@') return false;
  return std::none_of(email.begin(), email.end(),
                      [](char c) { return static_cast<unsigned char>(c) <= ' ' || c == 0x7f; });
}

std::chrono::seconds whole_seconds_up(RateLimiter::Clock::duration d) {
  return std::chrono::ceil<std::chrono::seconds>(d);
}

}  // namespace

Result<std::string> hash_password(const std::string& password) {
  ensure_sodium();
  std::vector<char> out(crypto_pwhash_STRBYTES);
  if (crypto_pwhash_str(out.data(), password.data(), password.size(),
                        crypto_pwhash_OPSLIMIT_INTERACTIVE,
                        crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0) {
    return fail(ExitCode::kFailure, "cannot hash the password: out of memory");
  }
  return std::string(out.data());
}

bool verify_password(const std::string& hash, const std::string& password) {
  ensure_sodium();
  if (hash.empty() || hash.size() >= crypto_pwhash_STRBYTES) return false;
  return crypto_pwhash_str_verify(hash.c_str(), password.data(), password.size()) == 0;
}

std::string hash_secret(const std::string& secret) {
  return registry::sha256_hex(secret);
}

std::string random_secret(std::size_t bytes) {
  ensure_sodium();
  std::vector<unsigned char> raw(bytes);
  randombytes_buf(raw.data(), raw.size());
  const int variant = sodium_base64_VARIANT_URLSAFE_NO_PADDING;
  std::vector<char> text(sodium_base64_ENCODED_LEN(bytes, variant));
  sodium_bin2base64(text.data(), text.size(), raw.data(), raw.size(), variant);
  sodium_memzero(raw.data(), raw.size());
  return std::string(text.data());
}

Accounts::Accounts(Storage& storage)
    : storage_(storage),
      per_account_(kMaxLoginFailuresPerAccount, kLoginWindow),
      per_address_(kMaxLoginFailuresPerAddress, kLoginWindow) {
  ensure_sodium();
}

Result<User> Accounts::register_user(const std::string& name, const std::string& email,
                                     const std::string& password, bool admin) {
  if (!package::is_valid_package_name(name)) {
    return fail(ExitCode::kUsage, "invalid user name '" + name.substr(0, 80) + "'",
                "use 1 to 64 characters of a-z, 0-9, '.', '_' and '-', starting with a letter "
                "or digit");
  }
  if (!email.empty() && !is_plausible_email(email))
    return fail(ExitCode::kUsage, "invalid email address '" + email.substr(0, 80) + "'");
  LMP_CHECK(check_password_length(password));
  auto hash = LMP_TRY(hash_password(password));
  return storage_.create_user(name, email, hash, admin);
}

Result<void> Accounts::set_password(const std::string& name, const std::string& password) {
  LMP_CHECK(check_password_length(password));
  auto found = LMP_TRY(storage_.find_user(name));
  if (!found) return fail(ExitCode::kNotFound, "no user " + name);
  auto hash = LMP_TRY(hash_password(password));
  return storage_.set_password(found->user.id, hash);
}

Result<Accounts::LoginResult> Accounts::login(const std::string& name, const std::string& password,
                                              const std::string& address) {
  auto now = RateLimiter::Clock::now();
  auto wait = std::max(per_address_.retry_after(address, now), per_account_.retry_after(name, now));
  if (wait > RateLimiter::Clock::duration::zero()) {
    return LoginResult{std::nullopt, std::max(whole_seconds_up(wait), std::chrono::seconds(1))};
  }
  auto found = LMP_TRY(storage_.find_user(name));
  // Always one verification, against the dummy hash when the user does not exist.
  bool verified = verify_password(found ? found->password_hash : dummy_hash(), password);
  if (!found || !verified) {
    per_address_.record_failure(address, now);
    per_account_.record_failure(name, now);
    return fail(ExitCode::kPermission, "wrong user name or password",
                "check both; after " + std::to_string(kMaxLoginFailuresPerAccount) +
                    " failures the account is locked for " + std::to_string(kLoginWindow.count()) +
                    " minutes");
  }
  per_account_.reset(name);
  return LoginResult{found->user, std::chrono::seconds(0)};
}

Result<IssuedToken> Accounts::create_token(const User& user, const std::string& token_name,
                                           std::chrono::seconds lifetime) {
  if (token_name.size() > kMaxTokenNameBytes) {
    return fail(ExitCode::kUsage,
                "a token name must be at most " + std::to_string(kMaxTokenNameBytes) + " bytes");
  }
  IssuedToken issued;
  issued.secret = "lmp_" + random_secret(32);
  const UnixTime expires = lifetime.count() > 0 ? now_seconds() + lifetime.count() : 0;
  issued.info =
      LMP_TRY(storage_.create_token(user.id, token_name, hash_secret(issued.secret), expires));
  return issued;
}

Result<std::optional<User>> Accounts::authenticate_token(const std::string& secret) {
  if (!secret.starts_with("lmp_")) return std::nullopt;
  return storage_.use_token(hash_secret(secret), now_seconds());
}

Result<void> Accounts::revoke_token(const std::string& secret) {
  return storage_.revoke_token_by_hash(hash_secret(secret));
}

Result<IssuedSession> Accounts::create_session(const User& user) {
  IssuedSession issued;
  issued.secret = random_secret(32);
  issued.session.user_id = user.id;
  issued.session.csrf_token = random_secret(32);
  issued.session.expires =
      now_seconds() + std::chrono::duration_cast<std::chrono::seconds>(kSessionLifetime).count();
  LMP_CHECK(storage_.create_session(hash_secret(issued.secret), issued.session));
  return issued;
}

Result<std::optional<Accounts::SessionUser>> Accounts::find_session(const std::string& secret) {
  auto session = LMP_TRY(storage_.find_session(hash_secret(secret), now_seconds()));
  if (!session) return std::nullopt;
  auto user = LMP_TRY(storage_.user_by_id(session->user_id));
  if (!user) return std::nullopt;
  return SessionUser{std::move(*session), std::move(*user)};
}

Result<void> Accounts::end_session(const std::string& secret) {
  return storage_.delete_session(hash_secret(secret));
}

}  // namespace lmp::hub
