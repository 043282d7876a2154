#include "package/c_value.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace lmp::package {
namespace {

TEST(CValueTest, HugeCharArraysAreRefusedBeforeAnythingIsAllocated) {
  for (const char* text : {"char[18446744073709551615]", "char[1099511627776]", "char[4294967296]",
                           "unsigned char [1048577]"}) {
    auto type = parse_c_type(text);
    ASSERT_FALSE(type) << text;
    EXPECT_EQ(type.error().code, ExitCode::kBadPackage) << text;
    EXPECT_NE(type.error().message.find("up to 1048576 bytes"), std::string::npos);
  }
  EXPECT_FALSE(parse_c_type("char[99999999999999999999999]"));  // past 2^64
  auto largest = parse_c_type("char[1048576]");
  ASSERT_TRUE(largest);
  EXPECT_EQ(largest->size, kMaxCharArray);
}

TEST(CValueTest, ValuesFromBytesNeverAllocateByTheTypesSize) {
  // A type as a caller might build it from unchecked metadata: reading is bounded by the bytes.
  CType huge{ValueKind::kString, std::size_t{1} << 60, "char[2^60]"};
  std::vector<uint8_t> bytes = {'h', 'i', 0, 'x'};
  EXPECT_EQ(std::get<std::string>(value_from_bytes(huge, bytes).value), "hi");
  CType wide{ValueKind::kUnsigned, std::size_t{1} << 60, "weird"};
  std::vector<uint8_t> eight(8, 1);
  EXPECT_NO_THROW(value_from_bytes(wide, eight));
  CType u32{ValueKind::kUnsigned, 4, "unsigned int"};
  std::vector<uint8_t> two = {1, 0};  // short input reads as zero padded
  EXPECT_EQ(std::get<uint64_t>(value_from_bytes(u32, two).value), 1u);
}

}  // namespace
}  // namespace lmp::package
