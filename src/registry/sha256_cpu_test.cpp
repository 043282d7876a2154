#include "registry/sha256_cpu.h"

#include <gtest/gtest.h>
#include <sodium.h>

#include <random>
#include <string>

#include "registry/digest.h"

namespace lmp::registry {
namespace {

std::string sodium_hex(std::string_view bytes) {
  unsigned char out[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(out, reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size());
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  for (unsigned char b : out) {
    hex += kHex[b >> 4];
    hex += kHex[b & 15];
  }
  return hex;
}

// Restores the extensions however a test ends.
struct WithoutExtensions {
  WithoutExtensions() { sha256_cpu::set_allowed(false); }
  ~WithoutExtensions() { sha256_cpu::set_allowed(true); }
};

// Every length around the block and padding boundaries, split at every kind of point, gives
// libsodium's digest (on a CPU without the SHA extensions both sides are the fallback).
TEST(Sha256Cpu, AgreesWithLibsodiumAtEveryLengthAndSplit) {
  std::mt19937 random(7);
  std::string data(700, '\0');
  for (char& c : data) c = static_cast<char>(random());
  for (std::size_t size = 0; size <= data.size(); ++size) {
    std::string_view input(data.data(), size);
    const std::string expected = sodium_hex(input);
    ASSERT_EQ(sha256_hex(input), expected) << size << " bytes";
    const std::size_t split = size == 0 ? 0 : random() % size;
    Sha256 h;
    h.update(input.substr(0, split));
    h.update(input.substr(split, 1 % (size - split + 1)));
    h.update(input.substr(std::min(size, split + 1)));
    ASSERT_EQ(h.finish(), expected) << size << " bytes split at " << split;
  }
}

TEST(Sha256Cpu, KnownVectorsWithAndWithoutTheExtensions) {
  const std::string two_blocks = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
  for (bool allowed : {true, false}) {
    sha256_cpu::set_allowed(allowed);
    EXPECT_EQ(sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    EXPECT_EQ(sha256_hex(two_blocks),
              "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  }
  sha256_cpu::set_allowed(true);
}

TEST(Sha256Cpu, LargeInputWithoutTheExtensionsStillMatches) {
  WithoutExtensions off;
  EXPECT_FALSE(sha256_cpu::available());
  std::string big(3'000'000, 'x');
  EXPECT_EQ(sha256_hex(big), sodium_hex(big));
}

}  // namespace
}  // namespace lmp::registry
