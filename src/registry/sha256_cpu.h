// SHA-256 on the x86 SHA extensions (SHA-NI), for digest.h: about seven times libsodium's
// portable SHA-256 on this machine, without loading libcrypto. Elsewhere (another
// architecture, a CPU without the extensions) `available()` is false and digest.h keeps
// libsodium / libcrypto.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace lmp::registry::sha256_cpu {

// True when this CPU runs the SHA extensions (checked once) and they are allowed.
bool available();
// Tests turn the extensions off to check the other engines; on by default.
void set_allowed(bool allowed);

// A streaming SHA-256 context on the extensions. Only use it when available().
class Context {
 public:
  Context();
  void update(std::string_view bytes);
  // The 32-byte digest; the context must not be updated afterwards.
  void finish(unsigned char out[32]);

 private:
  std::uint32_t state_[8];
  unsigned char block_[64];
  std::size_t buffered_ = 0;
  std::uint64_t total_ = 0;
};

}  // namespace lmp::registry::sha256_cpu
