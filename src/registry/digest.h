// SHA-256 digests as lowercase hex, streaming or whole-buffer.
//
// Small inputs are hashed with libsodium (always linked). Past 1 MiB, the hash moves to
// OpenSSL's libcrypto when it can be loaded: its SHA-256 uses the CPU's SHA extensions
// (~1.7 GB/s here against ~0.25 GB/s), and a download has already mapped it through
// libcurl. lmp does not link libcrypto, so a run that hashes nothing big never loads it.
#pragma once

#include <sodium.h>

#include <filesystem>
#include <string>
#include <string_view>

#include "common/result.h"

namespace lmp::registry {

// Incremental SHA-256.
class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(Sha256&& other) noexcept;
  Sha256& operator=(Sha256&& other) noexcept;
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;

  void update(std::string_view bytes);
  // The lowercase hex digest; the object must not be updated afterwards.
  std::string finish();

 private:
  // Until the input passes the threshold it is kept in `pending_`; then it goes to an
  // OpenSSL context (`evp_`) or, when libcrypto is missing, to the sodium state.
  enum class Engine { kUndecided, kSodium, kOpenSsl };
  Engine engine_ = Engine::kUndecided;
  std::string pending_;
  crypto_hash_sha256_state state_;
  void* evp_ = nullptr;
};

std::string sha256_hex(std::string_view bytes);

// Hashes a file in chunks. Errors: kNotFound when missing, kFailure otherwise.
Result<std::string> sha256_file(const std::filesystem::path& path);

// True for 64 lowercase hex characters.
bool is_sha256_hex(std::string_view text);

}  // namespace lmp::registry
