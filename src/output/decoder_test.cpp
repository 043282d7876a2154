#include <gtest/gtest.h>

#include <limits>

#include "output/output.h"
#include "output/test_btf.h"

namespace lmp::output {
namespace {

using nlohmann::json;
using testing::new_btf;
using testing::put;
using testing::put_text;

std::vector<uint8_t> bytes_of(std::initializer_list<uint8_t> b) {
  return b;
}

template <typename T>
std::vector<uint8_t> bytes_of_value(T value) {
  std::vector<uint8_t> out;
  put(out, 0, value);
  return out;
}

json decode(const btf* b, int id, const std::vector<uint8_t>& data) {
  auto r = decode_value(b, static_cast<uint32_t>(id), data);
  EXPECT_TRUE(r.has_value()) << (r ? "" : r.error().message);
  return r ? *r : json();
}

TEST(DecodeValue, IntegersOfEveryWidthAndSign) {
  auto b = new_btf();
  int u8 = btf__add_int(b.get(), "unsigned char", 1, 0);
  int s8 = btf__add_int(b.get(), "signed char", 1, BTF_INT_SIGNED);
  int u16 = btf__add_int(b.get(), "unsigned short", 2, 0);
  int s16 = btf__add_int(b.get(), "short", 2, BTF_INT_SIGNED);
  int u32 = btf__add_int(b.get(), "unsigned int", 4, 0);
  int s32 = btf__add_int(b.get(), "int", 4, BTF_INT_SIGNED);
  int u64 = btf__add_int(b.get(), "unsigned long long", 8, 0);
  int s64 = btf__add_int(b.get(), "long long", 8, BTF_INT_SIGNED);
  int u128 = btf__add_int(b.get(), "unsigned __int128", 16, 0);
  EXPECT_EQ(decode(b.get(), u8, bytes_of({255})), 255);
  EXPECT_EQ(decode(b.get(), s8, bytes_of({255})), -1);
  EXPECT_EQ(decode(b.get(), u16, bytes_of_value<uint16_t>(65535)), 65535);
  EXPECT_EQ(decode(b.get(), s16, bytes_of_value<int16_t>(-2)), -2);
  EXPECT_EQ(decode(b.get(), u32, bytes_of_value<uint32_t>(4000000000u)), 4000000000u);
  EXPECT_EQ(decode(b.get(), s32, bytes_of_value<int32_t>(-3)), -3);
  EXPECT_EQ(decode(b.get(), u64, bytes_of_value(std::numeric_limits<uint64_t>::max())),
            std::numeric_limits<uint64_t>::max());
  EXPECT_EQ(decode(b.get(), s64, bytes_of_value(std::numeric_limits<int64_t>::min())),
            std::numeric_limits<int64_t>::min());
  std::vector<uint8_t> wide(16, 0);
  wide[0] = 0x01;
  wide[15] = 0xab;
  EXPECT_EQ(decode(b.get(), u128, wide), "0xab000000000000000000000000000001");
}

TEST(DecodeValue, BoolAndFloat) {
  auto b = new_btf();
  int boolean = btf__add_int(b.get(), "_Bool", 1, BTF_INT_BOOL);
  int f32 = btf__add_float(b.get(), "float", 4);
  int f64 = btf__add_float(b.get(), "double", 8);
  EXPECT_EQ(decode(b.get(), boolean, bytes_of({1})), true);
  EXPECT_EQ(decode(b.get(), boolean, bytes_of({0})), false);
  EXPECT_EQ(decode(b.get(), f32, bytes_of_value(1.5f)), 1.5);
  EXPECT_EQ(decode(b.get(), f64, bytes_of_value(-2.25)), -2.25);
}

TEST(DecodeValue, CharArraysAreStrings) {
  auto b = new_btf();
  int ch = btf__add_int(b.get(), "char", 1, BTF_INT_SIGNED);
  int idx = btf__add_int(b.get(), "int", 4, BTF_INT_SIGNED);
  int comm = btf__add_array(b.get(), idx, ch, 8);
  std::vector<uint8_t> data;
  put_text(data, 0, "bash", 8);
  EXPECT_EQ(decode(b.get(), comm, data), "bash");
  put_text(data, 0, "abcdefgh", 8);  // no NUL: stops at the end of the array
  EXPECT_EQ(decode(b.get(), comm, data), "abcdefgh");
  put_text(data, 0, "a\x01\xff", 8);  // control and invalid UTF-8 bytes are escaped
  EXPECT_EQ(decode(b.get(), comm, data), "a\\x01\\xff");
  put_text(data, 0, "\xc3\xa9t\xc3\xa9", 8);  // valid UTF-8 is kept
  EXPECT_EQ(decode(b.get(), comm, data), "\xc3\xa9t\xc3\xa9");
}

TEST(DecodeValue, ByteArraysAndIntArraysAreArrays) {
  auto b = new_btf();
  int uchar = btf__add_int(b.get(), "unsigned char", 1, 0);
  int u8 = btf__add_typedef(b.get(), "__u8", uchar);
  int idx = btf__add_int(b.get(), "int", 4, BTF_INT_SIGNED);
  int addr = btf__add_array(b.get(), idx, u8, 4);
  int ints = btf__add_array(b.get(), idx, idx, 3);
  EXPECT_EQ(decode(b.get(), addr, bytes_of({127, 0, 0, 1})), json({127, 0, 0, 1}));
  std::vector<uint8_t> data;
  put<int32_t>(data, 0, 1);
  put<int32_t>(data, 4, -2);
  put<int32_t>(data, 8, 3);
  EXPECT_EQ(decode(b.get(), ints, data), json({1, -2, 3}));
}

TEST(DecodeValue, EnumsByName) {
  auto b = new_btf();
  int e = btf__add_enum(b.get(), "state", 4);
  btf__add_enum_value(b.get(), "RUNNING", 0);
  btf__add_enum_value(b.get(), "SLEEPING", 1);
  btf__add_enum_value(b.get(), "NEGATIVE", -1);
  EXPECT_EQ(decode(b.get(), e, bytes_of_value<uint32_t>(1)), "SLEEPING");
  EXPECT_EQ(decode(b.get(), e, bytes_of_value<int32_t>(-1)), "NEGATIVE");
  EXPECT_EQ(decode(b.get(), e, bytes_of_value<uint32_t>(7)), 7);
#ifdef BTF_KIND_ENUM64
  int e64 = btf__add_enum64(b.get(), "big", 8, false);
  btf__add_enum64_value(b.get(), "HUGE", 0x100000000ull);
  EXPECT_EQ(decode(b.get(), e64, bytes_of_value<uint64_t>(0x100000000ull)), "HUGE");
  EXPECT_EQ(decode(b.get(), e64, bytes_of_value<uint64_t>(5)), 5);
#endif
}

TEST(DecodeValue, PointersTypedefsAndConst) {
  auto b = new_btf();
  int u32 = btf__add_int(b.get(), "unsigned int", 4, 0);
  int ptr = btf__add_ptr(b.get(), u32);
  int td = btf__add_typedef(b.get(), "pid_t", u32);
  int cst = btf__add_const(b.get(), td);
  EXPECT_EQ(decode(b.get(), ptr, bytes_of_value<uint64_t>(0xffff888012345678ull)),
            0xffff888012345678ull);
  EXPECT_EQ(decode(b.get(), cst, bytes_of_value<uint32_t>(42)), 42);
}

TEST(DecodeValue, NestedStructsUnionsAndBitfields) {
  auto b = new_btf();
  int u32 = btf__add_int(b.get(), "unsigned int", 4, 0);
  int s32 = btf__add_int(b.get(), "int", 4, BTF_INT_SIGNED);
  int inner = btf__add_struct(b.get(), "inner", 8);
  btf__add_field(b.get(), "x", u32, 0, 0);
  btf__add_field(b.get(), "y", s32, 32, 0);
  int anon = btf__add_union(b.get(), nullptr, 4);
  btf__add_field(b.get(), "u", u32, 0, 0);
  int outer = btf__add_struct(b.get(), "outer", 20);
  btf__add_field(b.get(), "in", inner, 0, 0);
  btf__add_field(b.get(), "lo", u32, 64, 3);   // 3-bit unsigned bitfield
  btf__add_field(b.get(), "mid", s32, 67, 5);  // 5-bit signed bitfield
  btf__add_field(b.get(), "", anon, 96, 0);    // anonymous union: flattened
  btf__add_field(b.get(), "last", u32, 128, 0);
  std::vector<uint8_t> data;
  put<uint32_t>(data, 0, 7);
  put<int32_t>(data, 4, -8);
  put<uint32_t>(data, 8, 5u | (0x1eu << 3));  // lo = 5, mid = 0b11110 = -2
  put<uint32_t>(data, 12, 99);
  put<uint32_t>(data, 16, 1);
  json expected = {{"in", {{"x", 7}, {"y", -8}}}, {"lo", 5}, {"mid", -2}, {"u", 99}, {"last", 1}};
  EXPECT_EQ(decode(b.get(), outer, data), expected);
}

TEST(DecodeValue, ShortBufferIsAnError) {
  auto b = new_btf();
  int u64 = btf__add_int(b.get(), "unsigned long", 8, 0);
  int s = btf__add_struct(b.get(), "s", 16);
  btf__add_field(b.get(), "a", u64, 0, 0);
  btf__add_field(b.get(), "b", u64, 64, 0);
  std::vector<uint8_t> seven(7, 0);
  EXPECT_FALSE(decode_value(b.get(), u64, seven).has_value());
  std::vector<uint8_t> twelve(12, 0);
  auto r = decode_value(b.get(), s, twelve);
  ASSERT_FALSE(r.has_value());
  EXPECT_NE(r.error().message.find("needs 16 bytes, got 12"), std::string::npos);
  EXPECT_FALSE(decode_value(b.get(), 999, twelve).has_value());  // bad id
  EXPECT_FALSE(decode_value(nullptr, 1, twelve).has_value());
}

}  // namespace
}  // namespace lmp::output
