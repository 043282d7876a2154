#include "package/zlib_codec.h"

#include <gtest/gtest.h>

namespace lmp::package {
namespace {

std::vector<uint8_t> sample_data(std::size_t n) {
  std::vector<uint8_t> data(n);
  for (std::size_t i = 0; i < n; ++i) data[i] = static_cast<uint8_t>((i * 31) ^ (i >> 3));
  return data;
}

TEST(ZlibCodecTest, RoundTrips) {
  for (std::size_t n : {0u, 1u, 100u, 200000u}) {
    auto data = sample_data(n);
    auto packed = zlib_compress(data);
    ASSERT_FALSE(packed.empty());
    auto unpacked = zlib_inflate(packed, n);
    ASSERT_TRUE(unpacked) << unpacked.error().message;
    EXPECT_EQ(*unpacked, data);
  }
}

TEST(ZlibCodecTest, StopsOneByteAfterTheCap) {
  auto packed = zlib_compress(sample_data(1000));
  auto unpacked = zlib_inflate(packed, 10);
  ASSERT_TRUE(unpacked);
  EXPECT_EQ(unpacked->size(), 11u);
}

TEST(ZlibCodecTest, ShorterThanCapIsReturnedAsIs) {
  auto packed = zlib_compress(sample_data(100));
  auto unpacked = zlib_inflate(packed, 5000);
  ASSERT_TRUE(unpacked);
  EXPECT_EQ(unpacked->size(), 100u);
}

TEST(ZlibCodecTest, TruncatedStream) {
  auto packed = zlib_compress(sample_data(5000));
  packed.resize(packed.size() / 2);
  auto r = zlib_inflate(packed, 5000);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ExitCode::kBadPackage);
  EXPECT_NE(r.error().message.find("zlib data is truncated"), std::string::npos)
      << r.error().message;
}

TEST(ZlibCodecTest, EmptyInputIsTruncated) {
  auto r = zlib_inflate({}, 10);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("truncated"), std::string::npos);
}

TEST(ZlibCodecTest, CorruptHeader) {
  std::vector<uint8_t> junk = {'h', 'e', 'l', 'l', 'o', ' ', 'w', 'o', 'r', 'l', 'd'};
  auto r = zlib_inflate(junk, 100);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message, "zlib data is corrupt: incorrect header check");
}

TEST(ZlibCodecTest, CorruptBody) {
  auto packed = zlib_compress(sample_data(5000));
  for (std::size_t i = 2; i < packed.size(); i += 3) packed[i] ^= 0x5a;
  auto r = zlib_inflate(packed, 5000);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("zlib data is corrupt"), std::string::npos) << r.error().message;
}

}  // namespace
}  // namespace lmp::package
