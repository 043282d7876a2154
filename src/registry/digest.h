// SHA-256 digests (libsodium) as lowercase hex, streaming or whole-buffer.
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
  void update(std::string_view bytes);
  // The lowercase hex digest; the object must not be updated afterwards.
  std::string finish();

 private:
  crypto_hash_sha256_state state_;
};

std::string sha256_hex(std::string_view bytes);

// Hashes a file in chunks. Errors: kNotFound when missing, kFailure otherwise.
Result<std::string> sha256_file(const std::filesystem::path& path);

// True for 64 lowercase hex characters.
bool is_sha256_hex(std::string_view text);

}  // namespace lmp::registry
