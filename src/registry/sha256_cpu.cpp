#include "registry/sha256_cpu.h"

#include <algorithm>
#include <atomic>
#include <cstring>

#if defined(__x86_64__)
#include <cpuid.h>
#include <immintrin.h>
#define LMP_SHA_TARGET __attribute__((target("sha,sse4.1,ssse3")))
#endif

namespace lmp::registry::sha256_cpu {
namespace {

std::atomic<bool> g_allowed{true};

constexpr std::uint32_t kInitial[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                                       0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};

#if defined(__x86_64__)
alignas(16) constexpr std::uint32_t kRound[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2};

bool cpu_has_sha() {
  unsigned a = 0, b = 0, c = 0, d = 0;
  if (!__get_cpuid(1, &a, &b, &c, &d)) return false;
  const bool ssse3 = c & (1u << 9), sse41 = c & (1u << 19);
  if (!ssse3 || !sse41) return false;
  if (!__get_cpuid_count(7, 0, &a, &b, &c, &d)) return false;
  return b & (1u << 29);  // CPUID.(EAX=7,ECX=0):EBX.SHA
}

// The SHA instructions keep the eight working words in two registers, {A,B,E,F} and
// {C,D,G,H} (highest lane first); each sha256rnds2 does two rounds with the two message +
// constant words in the low lanes of its third operand, and returns the new {A,B,E,F} while
// the old one becomes {C,D,G,H}.
LMP_SHA_TARGET void compress(std::uint32_t state[8], const unsigned char* data,
                             std::size_t blocks) {
  // Big-endian message words: reverse the bytes of each 32-bit lane.
  const __m128i byte_swap = _mm_set_epi64x(0x0c0d0e0f08090a0bULL, 0x0405060700010203ULL);
  __m128i low = _mm_loadu_si128(reinterpret_cast<const __m128i*>(state));       // A B C D
  __m128i high = _mm_loadu_si128(reinterpret_cast<const __m128i*>(state + 4));  // E F G H
  low = _mm_shuffle_epi32(low, 0xB1);                                           // lanes B A D C
  high = _mm_shuffle_epi32(high, 0x1B);                                         // lanes H G F E
  __m128i abef = _mm_alignr_epi8(low, high, 8);                                 // lanes F E B A
  __m128i cdgh = _mm_blend_epi16(high, low, 0xF0);                              // lanes H G D C
  for (; blocks > 0; --blocks, data += 64) {
    const __m128i abef_before = abef, cdgh_before = cdgh;
    __m128i w[4];  // the last 16 schedule words, four per register, W[4r..4r+3] in w[r % 4]
    for (int i = 0; i < 4; ++i)
      w[i] = _mm_shuffle_epi8(_mm_loadu_si128(reinterpret_cast<const __m128i*>(data + 16 * i)),
                              byte_swap);
    for (int r = 0; r < 16; ++r) {
      if (r >= 4) {
        // W[t] = s1(W[t-2]) + W[t-7] + s0(W[t-15]) + W[t-16], four at a time.
        __m128i next = _mm_sha256msg1_epu32(w[r % 4], w[(r + 1) % 4]);
        next = _mm_add_epi32(next, _mm_alignr_epi8(w[(r + 3) % 4], w[(r + 2) % 4], 4));
        w[r % 4] = _mm_sha256msg2_epu32(next, w[(r + 3) % 4]);
      }
      __m128i wk =
          _mm_add_epi32(w[r % 4], _mm_load_si128(reinterpret_cast<const __m128i*>(kRound + 4 * r)));
      cdgh = _mm_sha256rnds2_epu32(cdgh, abef, wk);  // cdgh: the new {A,B,E,F}
      wk = _mm_shuffle_epi32(wk, 0x0E);
      abef = _mm_sha256rnds2_epu32(abef, cdgh, wk);  // and back: abef and cdgh as named
    }
    abef = _mm_add_epi32(abef, abef_before);
    cdgh = _mm_add_epi32(cdgh, cdgh_before);
  }
  low = _mm_shuffle_epi32(abef, 0x1B);   // lanes A B E F
  high = _mm_shuffle_epi32(cdgh, 0xB1);  // lanes G H C D
  _mm_storeu_si128(reinterpret_cast<__m128i*>(state), _mm_blend_epi16(low, high, 0xF0));
  _mm_storeu_si128(reinterpret_cast<__m128i*>(state + 4), _mm_alignr_epi8(high, low, 8));
}
#else
bool cpu_has_sha() {
  return false;
}
void compress(std::uint32_t*, const unsigned char*, std::size_t) {}
#endif

}  // namespace

bool available() {
  static const bool has = cpu_has_sha();
  return has && g_allowed.load(std::memory_order_relaxed);
}

void set_allowed(bool allowed) {
  g_allowed.store(allowed, std::memory_order_relaxed);
}

Context::Context() {
  std::memcpy(state_, kInitial, sizeof state_);
}

void Context::update(std::string_view bytes) {
  auto* data = reinterpret_cast<const unsigned char*>(bytes.data());
  std::size_t size = bytes.size();
  total_ += size;
  if (buffered_ > 0) {
    const std::size_t take = std::min(size, sizeof block_ - buffered_);
    std::memcpy(block_ + buffered_, data, take);
    buffered_ += take;
    data += take;
    size -= take;
    if (buffered_ < sizeof block_) return;
    compress(state_, block_, 1);
    buffered_ = 0;
  }
  if (size >= 64) {
    compress(state_, data, size / 64);
    data += size / 64 * 64;
    size %= 64;
  }
  if (size > 0) std::memcpy(block_, data, size);
  buffered_ = size;
}

void Context::finish(unsigned char out[32]) {
  // Padding: 0x80, zeros up to 56 mod 64, then the length in bits, big-endian.
  const std::uint64_t bits = total_ * 8;
  block_[buffered_++] = 0x80;
  if (buffered_ > 56) {
    std::memset(block_ + buffered_, 0, sizeof block_ - buffered_);
    compress(state_, block_, 1);
    buffered_ = 0;
  }
  std::memset(block_ + buffered_, 0, 56 - buffered_);
  for (int i = 0; i < 8; ++i) block_[56 + i] = static_cast<unsigned char>(bits >> (56 - 8 * i));
  compress(state_, block_, 1);
  for (int i = 0; i < 8; ++i)
    for (int j = 0; j < 4; ++j)
      out[4 * i + j] = static_cast<unsigned char>(state_[i] >> (24 - 8 * j));
}

}  // namespace lmp::registry::sha256_cpu
