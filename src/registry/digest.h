// SHA-256 digests as lowercase hex, streaming or whole-buffer.
//
// On a CPU with the x86 SHA extensions the hash runs on them (sha256_cpu.h, ~1.7 GB/s here).
// Elsewhere small inputs are hashed with libsodium (always linked, ~0.25 GB/s); past 1 MiB the
// hash moves to OpenSSL's libcrypto when it can be loaded (it may use other CPU extensions, and
// a download has already mapped it through libcurl). lmp does not link libcrypto, so a run
// that hashes nothing big never loads it.
#pragma once

#include <sodium.h>

#include <filesystem>
#include <string>
#include <string_view>

#include "common/result.h"
#include "registry/sha256_cpu.h"

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
  // kCpu: the SHA extensions, decided at construction.
  enum class Engine { kUndecided, kSodium, kOpenSsl, kCpu };
  Engine engine_ = Engine::kUndecided;
  sha256_cpu::Context cpu_;
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
