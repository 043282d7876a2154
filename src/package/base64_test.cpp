#include "package/base64.h"

#include <gtest/gtest.h>

namespace lmp::package {
namespace {

std::vector<uint8_t> bytes(std::string_view s) {
  return {s.begin(), s.end()};
}

TEST(Base64Test, EncodesRfc4648Vectors) {
  EXPECT_EQ(base64_encode(bytes("")), "");
  EXPECT_EQ(base64_encode(bytes("f")), "Zg==");
  EXPECT_EQ(base64_encode(bytes("fo")), "Zm8=");
  EXPECT_EQ(base64_encode(bytes("foo")), "Zm9v");
  EXPECT_EQ(base64_encode(bytes("foob")), "Zm9vYg==");
  EXPECT_EQ(base64_encode(bytes("fooba")), "Zm9vYmE=");
  EXPECT_EQ(base64_encode(bytes("foobar")), "Zm9vYmFy");
}

TEST(Base64Test, DecodesRfc4648Vectors) {
  EXPECT_EQ(*base64_decode(""), bytes(""));
  EXPECT_EQ(*base64_decode("Zg=="), bytes("f"));
  EXPECT_EQ(*base64_decode("Zm8="), bytes("fo"));
  EXPECT_EQ(*base64_decode("Zm9vYmFy"), bytes("foobar"));
}

TEST(Base64Test, AcceptsWhitespaceAndMissingPadding) {
  EXPECT_EQ(*base64_decode("Zm9v\nYmE"), bytes("fooba"));
  EXPECT_EQ(*base64_decode(" Zg "), bytes("f"));
}

TEST(Base64Test, RoundTripsAllByteValues) {
  std::vector<uint8_t> all;
  for (int i = 0; i < 256; ++i) all.push_back(static_cast<uint8_t>(i));
  for (std::size_t n = 0; n <= all.size(); n += 37) {
    std::vector<uint8_t> part(all.begin(), all.begin() + static_cast<std::ptrdiff_t>(n));
    EXPECT_EQ(*base64_decode(base64_encode(part)), part);
  }
}

TEST(Base64Test, RejectsBadInput) {
  auto bad_char = base64_decode("Zm9*");
  ASSERT_FALSE(bad_char);
  EXPECT_EQ(bad_char.error().code, ExitCode::kBadPackage);
  EXPECT_EQ(bad_char.error().message, "invalid base64: unexpected character '*' at offset 3");

  EXPECT_EQ(base64_decode("Zm9v\x01").error().message,
            "invalid base64: unexpected character byte 0x01 at offset 4");
  EXPECT_EQ(base64_decode("Zm9vY").error().message,
            "invalid base64: length is not a whole number of bytes (truncated?)");
  EXPECT_EQ(base64_decode("Zg=a").error().message,
            "invalid base64: data after '=' padding at offset 3");
  EXPECT_EQ(base64_decode("Zg===").error().message,
            "invalid base64: too much '=' padding at offset 4");
  EXPECT_EQ(base64_decode("Zm8==").error().message,
            "invalid base64: wrong amount of '=' padding at the end");
}

}  // namespace
}  // namespace lmp::package
