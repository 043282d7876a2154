#include "package/bpf_object.h"

#include <gtest/gtest.h>

#include "package/base64.h"
#include "package/package.h"
#include "package/test_objects.h"
#include "package/zlib_codec.h"

namespace lmp::package {
namespace {

using testing::fake_bpf_elf;

TEST(BpfObjectTest, RoundTrips) {
  auto elf = fake_bpf_elf(1000);
  auto decoded = decode_bpf_object(encode_bpf_object(elf), elf.size());
  ASSERT_TRUE(decoded) << decoded.error().message;
  EXPECT_EQ(*decoded, elf);
}

TEST(BpfObjectTest, AcceptsElf32AndBigEndian) {
  auto elf32 = fake_bpf_elf();
  elf32.resize(52);
  elf32[4] = 1;
  EXPECT_TRUE(check_bpf_elf(elf32));
  auto big = fake_bpf_elf();
  big[5] = 2;
  big[18] = 0;
  big[19] = 247;
  EXPECT_TRUE(check_bpf_elf(big));
}

TEST(BpfObjectTest, RejectsNonElf) {
  std::vector<uint8_t> text(100, 'a');
  EXPECT_EQ(check_bpf_elf(text).error().message,
            "not an ELF object (no \\x7fELF magic at the start)");
  auto r = decode_bpf_object(encode_bpf_object(text), text.size());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ExitCode::kBadPackage);
  EXPECT_EQ(r.error().message, "bpf_object: not an ELF object (no \\x7fELF magic at the start)");
}

TEST(BpfObjectTest, RejectsOtherMachines) {
  auto x86 = fake_bpf_elf();
  x86[18] = 62;
  EXPECT_EQ(check_bpf_elf(x86).error().message,
            "ELF machine is 62, expected EM_BPF (247): this object was not compiled for BPF");
}

TEST(BpfObjectTest, RejectsBadClassAndShortHeader) {
  auto elf = fake_bpf_elf();
  elf[4] = 3;
  EXPECT_EQ(check_bpf_elf(elf).error().message, "ELF class 3 is neither 32-bit nor 64-bit");
  auto short_elf = fake_bpf_elf();
  short_elf.resize(40);
  EXPECT_EQ(check_bpf_elf(short_elf).error().message,
            "ELF header is truncated (40 bytes, need 64)");
  auto order = fake_bpf_elf();
  order[5] = 9;
  EXPECT_EQ(check_bpf_elf(order).error().message,
            "ELF byte order 9 is neither little nor big endian");
}

TEST(BpfObjectTest, SizeMismatch) {
  auto elf = fake_bpf_elf(100);
  auto text = encode_bpf_object(elf);
  EXPECT_EQ(decode_bpf_object(text, elf.size() + 1).error().message,
            "bpf_object_size: 165 does not match bpf_object, which inflates to 164 bytes");
  EXPECT_EQ(decode_bpf_object(text, 64).error().message,
            "bpf_object_size: 64 does not match bpf_object, which inflates to more than that");
}

TEST(BpfObjectTest, OversizeRefusedBeforeDecoding) {
  auto r = decode_bpf_object("not even base64!", kMaxBpfObjectBytes + 1);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message,
            "bpf_object_size: 268435457 bytes is over the limit of 268435456 bytes (256 MiB)");
}

TEST(BpfObjectTest, BadBase64AndZlibAreNamed) {
  EXPECT_EQ(decode_bpf_object("abc$", 64).error().message,
            "bpf_object: invalid base64: unexpected character '$' at offset 3");
  auto packed = zlib_compress(fake_bpf_elf(4000));
  packed.resize(packed.size() - 10);
  auto r = decode_bpf_object(base64_encode(packed), 4064);
  ASSERT_FALSE(r);
  EXPECT_TRUE(r.error().message.starts_with("bpf_object: zlib data is truncated"))
      << r.error().message;
}

}  // namespace
}  // namespace lmp::package
