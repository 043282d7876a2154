#include "loader/btf_check.h"

#include <gtest/gtest.h>
#include <linux/btf.h>

#include <cstring>
#include <string>
#include <vector>

namespace lmp::loader {
namespace {

constexpr uint32_t info_enc(uint32_t kind, uint32_t vlen) {
  return kind << 24 | vlen;
}
constexpr uint32_t int_enc(uint32_t encoding, uint32_t offset, uint32_t bits) {
  return encoding << 24 | offset << 16 | bits;
}

// Builds a .BTF section type by type (ids from 1).
class BtfBuilder {
 public:
  uint32_t str(const std::string& text) {
    auto offset = static_cast<uint32_t>(strings_.size());
    strings_ += text;
    strings_ += '\0';
    return offset;
  }
  uint32_t add(uint32_t name, uint32_t kind, uint32_t vlen, uint32_t size_or_type,
               std::vector<uint32_t> extra = {}) {
    words_.insert(words_.end(), {name, info_enc(kind, vlen), size_or_type});
    words_.insert(words_.end(), extra.begin(), extra.end());
    return ++count_;
  }
  uint32_t add_int(const std::string& name) {
    return add(str(name), BTF_KIND_INT, 0, 4, {int_enc(BTF_INT_SIGNED, 0, 32)});
  }
  std::vector<uint8_t> bytes() const {
    btf_header header{};
    header.magic = 0xeB9F;
    header.version = BTF_VERSION;
    header.hdr_len = sizeof header;
    header.type_len = static_cast<uint32_t>(words_.size() * 4);
    header.str_off = header.type_len;
    header.str_len = static_cast<uint32_t>(strings_.size());
    std::vector<uint8_t> out(sizeof header + header.type_len + header.str_len);
    std::memcpy(out.data(), &header, sizeof header);
    std::memcpy(out.data() + sizeof header, words_.data(), header.type_len);
    std::memcpy(out.data() + sizeof header + header.type_len, strings_.data(), strings_.size());
    return out;
  }

 private:
  std::vector<uint32_t> words_;
  std::string strings_{'\0'};
  uint32_t count_ = 0;
};

std::string error_of(const Result<BtfLayout>& result) {
  return result ? std::string() : result.error().message;
}

TEST(BtfCheckTest, AcceptsWellFormedTypes) {
  BtfBuilder b;
  uint32_t i = b.add_int("int");
  // struct node { int value; struct node *next; }: a cycle through a pointer is fine.
  uint32_t node = b.add(b.str("node"), BTF_KIND_STRUCT, 2, 16,
                        {b.str("value"), i, 0, b.str("next"), i + 2, 64});
  b.add(0, BTF_KIND_PTR, 0, node);
  uint32_t proto = b.add(0, BTF_KIND_FUNC_PROTO, 1, i, {b.str("n"), node + 1});
  b.add(b.str("f"), BTF_KIND_FUNC, 1, proto);
  uint32_t var = b.add(b.str("v"), BTF_KIND_VAR, 0, i, {1});
  b.add(b.str(".data"), BTF_KIND_DATASEC, 1, 4, {var, 0, 4});
  const std::vector<uint8_t> section = b.bytes();  // the layout points into it
  auto layout = check_btf(section);
  ASSERT_TRUE(layout) << layout.error().message;
  EXPECT_EQ(layout->kinds.size(), 8u);
  EXPECT_EQ(layout->string_at(1), "int");
  EXPECT_FALSE(layout->string_at(100000));
}

TEST(BtfCheckTest, RefusesAMemberTypeThatDoesNotExist) {
  BtfBuilder b;
  uint32_t i = b.add_int("int");
  b.add(b.str("s"), BTF_KIND_STRUCT, 1, 4, {b.str("a"), 65541, 0});
  (void)i;
  EXPECT_NE(error_of(check_btf(b.bytes())).find("type 65541"), std::string::npos);
}

TEST(BtfCheckTest, RefusesEveryKindOfDanglingReference) {
  auto dangling = [](uint32_t kind, std::vector<uint32_t> extra, uint32_t type = 99) {
    BtfBuilder b;
    b.add_int("int");
    b.add(b.str("x"), kind, static_cast<uint32_t>(extra.size() / 3), type, extra);
    return error_of(check_btf(b.bytes()));
  };
  for (uint32_t kind : {BTF_KIND_PTR, BTF_KIND_TYPEDEF, BTF_KIND_CONST, BTF_KIND_VOLATILE,
                        BTF_KIND_RESTRICT, BTF_KIND_TYPE_TAG, BTF_KIND_FUNC})
    EXPECT_NE(dangling(kind, {}), "") << kind;
  BtfBuilder array;
  array.add_int("int");
  array.add(0, BTF_KIND_ARRAY, 0, 0, {0xff00001d, 1, 6});
  EXPECT_NE(error_of(check_btf(array.bytes())).find("element type"), std::string::npos);
  BtfBuilder sec;
  sec.add_int("int");
  sec.add(sec.str(".data"), BTF_KIND_DATASEC, 1, 4, {1, 0, 4});  // an INT, not a VAR
  EXPECT_NE(error_of(check_btf(sec.bytes())), "");
}

TEST(BtfCheckTest, RefusesNamesOutsideTheStringSection) {
  BtfBuilder b;
  b.add(0xff000d33, BTF_KIND_INT, 0, 4, {int_enc(0, 0, 32)});
  EXPECT_NE(error_of(check_btf(b.bytes())).find("outside the string section"), std::string::npos);
  BtfBuilder member;
  uint32_t i = member.add_int("int");
  member.add(member.str("s"), BTF_KIND_STRUCT, 1, 4, {0x00e00000, i, 0});
  EXPECT_NE(error_of(check_btf(member.bytes())), "");
}

TEST(BtfCheckTest, RefusesTypesThatContainThemselves) {
  BtfBuilder self_typedef;
  self_typedef.add(self_typedef.str("t"), BTF_KIND_TYPEDEF, 0, 1);
  EXPECT_NE(error_of(check_btf(self_typedef.bytes())).find("contains itself"), std::string::npos);
  BtfBuilder by_value;
  by_value.add(by_value.str("s"), BTF_KIND_STRUCT, 1, 4, {by_value.str("a"), 2, 0});
  by_value.add(0, BTF_KIND_CONST, 0, 1);
  EXPECT_NE(error_of(check_btf(by_value.bytes())).find("contains itself"), std::string::npos);
  BtfBuilder pointers;
  pointers.add(0, BTF_KIND_PTR, 0, 2);
  pointers.add(0, BTF_KIND_PTR, 0, 1);
  EXPECT_NE(error_of(check_btf(pointers.bytes())).find("contains itself"), std::string::npos);
}

TEST(BtfCheckTest, RefusesBrokenHeadersAndLayouts) {
  BtfBuilder b;
  b.add_int("int");
  std::vector<uint8_t> good = b.bytes();
  ASSERT_TRUE(check_btf(good));
  for (std::size_t n = 0; n < good.size(); ++n)
    EXPECT_FALSE(check_btf(std::span(good).first(n))) << "prefix of " << n;
  auto bad_magic = good;
  bad_magic[0] = 0xeb;  // the other byte order's magic
  bad_magic[1] = 0x9f;
  EXPECT_FALSE(check_btf(bad_magic));
  auto strings_past_end = good;
  uint32_t huge = 0xfffffff0;
  std::memcpy(strings_past_end.data() + offsetof(btf_header, str_len), &huge, 4);
  EXPECT_FALSE(check_btf(strings_past_end));
  auto unterminated = good;
  unterminated.back() = 'x';
  EXPECT_FALSE(check_btf(unterminated));
  BtfBuilder unknown;
  unknown.add(0, 25, 0, 0);
  EXPECT_NE(error_of(check_btf(unknown.bytes())).find("unknown kind 25"), std::string::npos);
  BtfBuilder wide;
  wide.add(wide.str("i"), BTF_KIND_INT, 0, 4, {int_enc(0, 0, 64)});
  EXPECT_FALSE(check_btf(wide.bytes()));
}

// A .BTF.ext with one CO-RE relocation record in section "prog".
std::vector<uint8_t> core_ext(uint32_t section_name, uint32_t insn_off, uint32_t type_id,
                              uint32_t access, uint32_t kind, uint32_t count = 1) {
  std::vector<uint32_t> words = {0x0001eB9F, 32, 0, 0, 0, 0, 0, 0};
  std::vector<uint32_t> relo = {16, section_name, count, insn_off, type_id, access, kind};
  words[6] = 0;                                       // core_relo_off
  words[7] = static_cast<uint32_t>(relo.size() * 4);  // core_relo_len
  words.insert(words.end(), relo.begin(), relo.end());
  std::vector<uint8_t> out(words.size() * 4);
  std::memcpy(out.data(), words.data(), out.size());
  return out;
}

TEST(BtfCheckTest, ChecksCoreRelocationRecords) {
  BtfBuilder b;
  uint32_t i = b.add_int("int");
  uint32_t prog = b.str("prog"), access = b.str("0:1");
  const std::vector<uint8_t> section = b.bytes();  // the layout points into it
  auto layout = check_btf(section);
  ASSERT_TRUE(layout);
  auto sizes = [](std::string_view name) -> std::optional<uint64_t> {
    if (name == "prog") return 64;
    return std::nullopt;
  };
  auto ok = check_btf_ext(core_ext(prog, 8, i, access, 0), *layout, sizes);
  EXPECT_TRUE(ok) << ok.error().message;
  EXPECT_FALSE(check_btf_ext(core_ext(prog, 8, 70000, access, 0), *layout, sizes));
  EXPECT_FALSE(check_btf_ext(core_ext(prog, 64, i, access, 0), *layout, sizes));
  EXPECT_FALSE(check_btf_ext(core_ext(prog, 4, i, access, 0), *layout, sizes));
  EXPECT_FALSE(check_btf_ext(core_ext(prog, 8, i, 0xffffff, 0), *layout, sizes));
  EXPECT_FALSE(check_btf_ext(core_ext(prog, 8, i, prog, 0), *layout, sizes));  // not digits
  EXPECT_FALSE(check_btf_ext(core_ext(prog, 8, i, access, 13), *layout, sizes));
  EXPECT_FALSE(check_btf_ext(core_ext(access, 8, i, access, 0), *layout, sizes));  // no section
  EXPECT_FALSE(check_btf_ext(core_ext(prog, 8, i, access, 0, 0x40000000), *layout, sizes));
  auto whole = core_ext(prog, 8, i, access, 0);
  for (std::size_t n = 0; n < whole.size(); ++n)
    EXPECT_FALSE(check_btf_ext(std::span(whole).first(n), *layout, sizes)) << n;
}

}  // namespace
}  // namespace lmp::loader
