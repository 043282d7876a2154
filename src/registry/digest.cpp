#include "registry/digest.h"

#include <fstream>
#include <mutex>

namespace lmp::registry {
namespace {

void init_sodium() {
  static std::once_flag once;
  // sodium_init only picks fast implementations; SHA-256 works without it.
  std::call_once(once, [] {
    if (sodium_init() < 0) return;
  });
}

}  // namespace

Sha256::Sha256() {
  init_sodium();
  crypto_hash_sha256_init(&state_);
}

void Sha256::update(std::string_view bytes) {
  crypto_hash_sha256_update(&state_, reinterpret_cast<const unsigned char*>(bytes.data()),
                            bytes.size());
}

std::string Sha256::finish() {
  unsigned char out[crypto_hash_sha256_BYTES];
  crypto_hash_sha256_final(&state_, out);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  for (unsigned char b : out) {
    hex += kHex[b >> 4];
    hex += kHex[b & 15];
  }
  return hex;
}

std::string sha256_hex(std::string_view bytes) {
  Sha256 h;
  h.update(bytes);
  return h.finish();
}

Result<std::string> sha256_file(const std::filesystem::path& path) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec))
    return fail(ExitCode::kNotFound, "cannot hash " + path.string() + ": not a file");
  std::ifstream in(path, std::ios::binary);
  if (!in) return fail(ExitCode::kFailure, "cannot open " + path.string());
  Sha256 h;
  char buf[65536];
  while (in.read(buf, sizeof buf) || in.gcount() > 0) {
    h.update(std::string_view(buf, static_cast<std::size_t>(in.gcount())));
  }
  if (in.bad()) return fail(ExitCode::kFailure, "cannot read " + path.string());
  return h.finish();
}

bool is_sha256_hex(std::string_view text) {
  if (text.size() != 64) return false;
  for (char c : text)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  return true;
}

}  // namespace lmp::registry
