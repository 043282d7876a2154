#include "registry/digest.h"

#include <dlfcn.h>

#include <fstream>
#include <mutex>
#include <utility>

namespace lmp::registry {
namespace {

constexpr std::size_t kSwitchBytes = 1 << 20;

void init_sodium() {
  static std::once_flag once;
  // sodium_init only picks fast implementations; SHA-256 works without it.
  std::call_once(once, [] {
    if (sodium_init() < 0) return;
  });
}

// The part of OpenSSL's EVP digest API lmp uses (same in libcrypto 1.1 and 3), loaded with
// dlopen: contexts and digests are opaque pointers.
struct CryptoApi {
  void* (*ctx_new)() = nullptr;
  void (*ctx_free)(void*) = nullptr;
  const void* (*sha256)() = nullptr;
  int (*init)(void*, const void*, void*) = nullptr;
  int (*update)(void*, const void*, std::size_t) = nullptr;
  int (*final)(void*, unsigned char*, unsigned int*) = nullptr;
  bool loaded = false;
};

template <typename Fn>
bool bind_digest(void* library, const char* name, Fn& into) {
  into = reinterpret_cast<Fn>(dlsym(library, name));
  return into != nullptr;
}

const CryptoApi& crypto_api() {
  static CryptoApi api;
  static std::once_flag once;
  std::call_once(once, [] {
    void* library = dlopen("libcrypto.so.3", RTLD_NOW | RTLD_LOCAL);
    if (!library) library = dlopen("libcrypto.so.1.1", RTLD_NOW | RTLD_LOCAL);
    if (!library) return;
    api.loaded = bind_digest(library, "EVP_MD_CTX_new", api.ctx_new) &&
                 bind_digest(library, "EVP_MD_CTX_free", api.ctx_free) &&
                 bind_digest(library, "EVP_sha256", api.sha256) &&
                 bind_digest(library, "EVP_DigestInit_ex", api.init) &&
                 bind_digest(library, "EVP_DigestUpdate", api.update) &&
                 bind_digest(library, "EVP_DigestFinal_ex", api.final);
  });
  return api;
}

// A fresh OpenSSL SHA-256 context, or null when libcrypto is unavailable.
void* new_evp_context() {
  const CryptoApi& api = crypto_api();
  if (!api.loaded) return nullptr;
  void* ctx = api.ctx_new();
  if (ctx && api.init(ctx, api.sha256(), nullptr) == 1) return ctx;
  if (ctx) api.ctx_free(ctx);
  return nullptr;
}

std::string to_hex(const unsigned char* bytes, std::size_t size) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(size * 2);
  for (std::size_t i = 0; i < size; ++i) {
    hex += kHex[bytes[i] >> 4];
    hex += kHex[bytes[i] & 15];
  }
  return hex;
}

}  // namespace

Sha256::Sha256() {
  if (sha256_cpu::available()) {
    engine_ = Engine::kCpu;
    return;
  }
  init_sodium();
  crypto_hash_sha256_init(&state_);
}

Sha256::~Sha256() {
  if (evp_) crypto_api().ctx_free(evp_);
}

Sha256::Sha256(Sha256&& other) noexcept
    : engine_(other.engine_),
      cpu_(other.cpu_),
      pending_(std::move(other.pending_)),
      state_(other.state_),
      evp_(std::exchange(other.evp_, nullptr)) {}

Sha256& Sha256::operator=(Sha256&& other) noexcept {
  if (this != &other) {
    if (evp_) crypto_api().ctx_free(evp_);
    engine_ = other.engine_;
    cpu_ = other.cpu_;
    pending_ = std::move(other.pending_);
    state_ = other.state_;
    evp_ = std::exchange(other.evp_, nullptr);
  }
  return *this;
}

void Sha256::update(std::string_view bytes) {
  if (engine_ == Engine::kCpu) {
    cpu_.update(bytes);
    return;
  }
  if (engine_ == Engine::kUndecided) {
    if (pending_.size() + bytes.size() <= kSwitchBytes) {
      pending_.append(bytes);
      return;
    }
    evp_ = new_evp_context();
    engine_ = evp_ ? Engine::kOpenSsl : Engine::kSodium;
    std::string first = std::exchange(pending_, {});
    update(first);
  }
  if (engine_ == Engine::kOpenSsl) {
    crypto_api().update(evp_, bytes.data(), bytes.size());
  } else {
    crypto_hash_sha256_update(&state_, reinterpret_cast<const unsigned char*>(bytes.data()),
                              bytes.size());
  }
}

std::string Sha256::finish() {
  unsigned char out[crypto_hash_sha256_BYTES];
  if (engine_ == Engine::kCpu) {
    cpu_.finish(out);
    return to_hex(out, sizeof out);
  }
  if (engine_ == Engine::kOpenSsl) {
    unsigned int size = sizeof out;
    crypto_api().final(evp_, out, &size);
    return to_hex(out, sizeof out);
  }
  if (engine_ == Engine::kUndecided)
    crypto_hash_sha256_update(&state_, reinterpret_cast<const unsigned char*>(pending_.data()),
                              pending_.size());
  crypto_hash_sha256_final(&state_, out);
  return to_hex(out, sizeof out);
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
  std::string buf(1 << 20, '\0');
  while (in.read(buf.data(), static_cast<std::streamsize>(buf.size())) || in.gcount() > 0) {
    h.update(std::string_view(buf.data(), static_cast<std::size_t>(in.gcount())));
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
