#include "output/value_format.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/syscall.h>

#include <gtest/gtest.h>

#include <cstring>

#include "output/test_btf.h"
#include "package/format_word.h"

namespace lmp::output {
namespace {

using testing::new_btf;

template <typename T>
std::vector<uint8_t> bytes_of(T value) {
  std::vector<uint8_t> out;
  testing::put(out, 0, value);
  return out;
}

std::optional<std::string> show(std::string_view word, const std::vector<uint8_t>& bytes,
                                bool is_signed = false,
                                std::optional<uint64_t> family = std::nullopt) {
  auto format = parse_value_format(word);
  EXPECT_TRUE(format) << word;
  return format ? format_value(*format, bytes, is_signed, family) : std::nullopt;
}

std::optional<int64_t> read_back(std::string_view word, std::string_view text) {
  auto format = parse_value_format(word);
  EXPECT_TRUE(format) << word;
  return format ? parse_value_text(*format, text) : std::nullopt;
}

TEST(ValueFormat, ParsesEveryWordAndWritesItBack) {
  for (std::string_view word : package::format_words()) {
    std::string full(word);
    if (word == "flags") full += ":open";
    auto format = parse_value_format(full);
    ASSERT_TRUE(format) << full;
    EXPECT_EQ(parse_value_format(to_string(*format)).value_or(ValueFormat{}), *format) << full;
  }
  EXPECT_EQ(parse_value_format("duration").value_or(ValueFormat{}),
            (ValueFormat{ValueKind::kDuration, "ns"}));
  EXPECT_EQ(parse_value_format("duration:us").value_or(ValueFormat{}),
            (ValueFormat{ValueKind::kDuration, "us"}));
  EXPECT_EQ(parse_value_format("flags:mmap_prot").value_or(ValueFormat{}),
            (ValueFormat{ValueKind::kFlags, "mmap_prot"}));
  EXPECT_EQ(to_string(ValueFormat{ValueKind::kFlags, "open"}), "flags:open");
  EXPECT_EQ(to_string(ValueFormat{}), "raw");
}

TEST(ValueFormat, BadWordsNameTheWordAndTheValidOnes) {
  auto bad = parse_value_format("ipv5");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, ExitCode::kBadPackage);
  EXPECT_EQ(bad.error().message, "unknown @format 'ipv5'");
  EXPECT_NE(bad.error().hint.find("ipv4"), std::string::npos);
  EXPECT_NE(bad.error().hint.find("flags:SET"), std::string::npos);
  auto no_set = parse_value_format("flags");
  ASSERT_FALSE(no_set);
  EXPECT_NE(no_set.error().hint.find("flags:open"), std::string::npos);
  EXPECT_FALSE(parse_value_format("flags:nope"));
  auto unit = parse_value_format("duration:min");
  ASSERT_FALSE(unit);
  EXPECT_NE(unit.error().hint.find("duration:us"), std::string::npos);
  EXPECT_FALSE(parse_value_format("errno:x"));
  EXPECT_FALSE(parse_value_format(""));
  EXPECT_FALSE(parse_value_format("IPV4"));
}

TEST(ValueFormat, Ipv4FromU32AndBytes) {
  std::vector<uint8_t> address = {10, 0, 0, 1};
  EXPECT_EQ(show("ipv4", address), "10.0.0.1");
  EXPECT_EQ(show("ip", address), "10.0.0.1");
  EXPECT_EQ(show("ipv4", {127, 0, 0}), std::nullopt);
  uint32_t stored;
  std::memcpy(&stored, address.data(), 4);
  EXPECT_EQ(read_back("ipv4", "10.0.0.1"), stored);
  EXPECT_EQ(read_back("ipv4", "10.0.0.256"), std::nullopt);
}

TEST(ValueFormat, Ipv6IncludingMapped) {
  std::vector<uint8_t> loopback(16, 0);
  loopback[15] = 1;
  EXPECT_EQ(show("ipv6", loopback), "::1");
  std::vector<uint8_t> mapped = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 192, 168, 1, 2};
  EXPECT_EQ(show("ipv6", mapped), "::ffff:192.168.1.2");
  std::vector<uint8_t> doc = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x42};
  EXPECT_EQ(show("ipv6", doc), "2001:db8::42");
  EXPECT_EQ(show("ipv6", {1, 2, 3, 4}), std::nullopt);
}

TEST(ValueFormat, FamilyChoosesTheAddressKind) {
  std::vector<uint8_t> v4_in_16(16, 0);
  v4_in_16[0] = 192, v4_in_16[1] = 0, v4_in_16[2] = 2, v4_in_16[3] = 7;
  EXPECT_EQ(show("ip", v4_in_16, false, AF_INET), "192.0.2.7");
  EXPECT_EQ(show("ip", v4_in_16, false, AF_INET6), "c000:207::");
  EXPECT_EQ(show("ip", v4_in_16), "c000:207::");  // no family: by size
  EXPECT_EQ(show("ip", v4_in_16, false, AF_UNIX), std::nullopt);
  EXPECT_EQ(show("ip", {1, 2, 3, 4}, false, AF_INET6), std::nullopt);
}

TEST(ValueFormat, PortsInNetworkOrder) {
  std::vector<uint8_t> port = {0x01, 0xbb};  // 443 as the kernel stores it
  EXPECT_EQ(show("port", port), "443");
  EXPECT_EQ(show("port", {1, 2, 3, 4}), std::nullopt);
  uint16_t stored;
  std::memcpy(&stored, port.data(), 2);
  EXPECT_EQ(read_back("port", "443"), stored);
  EXPECT_EQ(read_back("port", "70000"), std::nullopt);
}

TEST(ValueFormat, ErrnoPositiveAndNegative) {
  EXPECT_EQ(show("errno", bytes_of<int32_t>(-2), true), "ENOENT");
  EXPECT_EQ(show("errno", bytes_of<int32_t>(13), true), "EACCES");
  EXPECT_EQ(show("errno", bytes_of<int64_t>(-512), true), "ERESTARTSYS");
  EXPECT_EQ(show("errno", bytes_of<int32_t>(0), true), std::nullopt);
  EXPECT_EQ(show("errno", bytes_of<uint32_t>(uint32_t(-2)), false), std::nullopt);
  EXPECT_EQ(show("errno", bytes_of<int8_t>(-1), true), "EPERM");
  EXPECT_EQ(read_back("errno", "ENOENT"), 2);
  EXPECT_EQ(read_back("errno", "2"), 2);
}

TEST(ValueFormat, SignalsAndSyscalls) {
  EXPECT_EQ(show("signal", bytes_of<int32_t>(9), true), "SIGKILL");
  EXPECT_EQ(show("signal", bytes_of<int32_t>(SIGRTMIN + 1), true), "SIGRTMIN+1");
  EXPECT_EQ(show("signal", bytes_of<int32_t>(0), true), std::nullopt);
  EXPECT_EQ(read_back("signal", "SIGTERM"), SIGTERM);
  EXPECT_EQ(show("syscall", bytes_of<uint64_t>(SYS_openat)), "openat");
  EXPECT_EQ(show("syscall", bytes_of<int64_t>(-1), true), std::nullopt);
  EXPECT_EQ(read_back("syscall", "openat"), SYS_openat);
  EXPECT_EQ(read_back("syscall", "nope"), std::nullopt);
}

TEST(ValueFormat, FlagsKeepUnknownBits) {
  EXPECT_EQ(show("flags:open", bytes_of<int32_t>(O_RDONLY)), "O_RDONLY");
  EXPECT_EQ(show("flags:open", bytes_of<int32_t>(O_WRONLY | O_CREAT | O_CLOEXEC), true),
            "O_WRONLY|O_CREAT|O_CLOEXEC");
  // A negative int does not spill sign bits into the set.
  EXPECT_EQ(show("flags:open", bytes_of<int32_t>(int32_t(0x80000000u)), true),
            "O_RDONLY|0x80000000");
  EXPECT_EQ(show("flags:mmap_prot", bytes_of<uint64_t>(5)), "PROT_READ|PROT_EXEC");
  EXPECT_EQ(read_back("flags:open", "O_WRONLY|O_CREAT"), O_WRONLY | O_CREAT);
}

TEST(ValueFormat, DurationsPickAReadableUnit) {
  EXPECT_EQ(show("duration:us", bytes_of<uint64_t>(812)), "812us");
  EXPECT_EQ(show("duration:us", bytes_of<uint64_t>(1250)), "1.25ms");
  EXPECT_EQ(show("duration:us", bytes_of<uint64_t>(1254)), "1.25ms");
  EXPECT_EQ(show("duration:us", bytes_of<uint64_t>(1256)), "1.26ms");
  EXPECT_EQ(show("duration:ns", bytes_of<uint64_t>(3200000000)), "3.2s");
  EXPECT_EQ(show("duration", bytes_of<uint64_t>(999)), "999ns");
  EXPECT_EQ(show("duration", bytes_of<uint64_t>(999700)), "1ms");  // not "1000us"
  EXPECT_EQ(show("duration", bytes_of<uint64_t>(12340)), "12.3us");
  EXPECT_EQ(show("duration:ms", bytes_of<uint32_t>(1)), "1ms");
  EXPECT_EQ(show("duration:s", bytes_of<uint32_t>(7200)), "7200s");
  EXPECT_EQ(show("duration:us", bytes_of<uint64_t>(0)), "0us");
  EXPECT_EQ(show("duration:ns", bytes_of<int64_t>(-1500), true), "-1.5us");
  EXPECT_EQ(read_back("duration:us", "1.5ms"), 1500);
  EXPECT_EQ(read_back("duration:us", "20"), 20);
  EXPECT_EQ(read_back("duration:us", "2min"), std::nullopt);
}

TEST(ValueFormat, HexAndKernelAddresses) {
  EXPECT_EQ(show("hex", bytes_of<uint32_t>(31)), "0x1f");
  EXPECT_EQ(show("hex", bytes_of<int16_t>(-1), true), "0xffff");
  EXPECT_EQ(read_back("hex", "0x1f"), 31);
  EXPECT_EQ(read_back("hex", "zz"), std::nullopt);
  EXPECT_EQ(show("ksym", bytes_of<uint64_t>(0)), std::nullopt);
  // Unresolved stack entries stay addresses; a zero ends the stack.
  std::vector<uint8_t> stack;
  testing::put<uint64_t>(stack, 0, 0x10);
  testing::put<uint64_t>(stack, 8, 0x20);
  testing::put<uint64_t>(stack, 16, 0);
  testing::put<uint64_t>(stack, 24, 0x30);
  EXPECT_EQ(show("kstack", stack), "0x10;0x20");
  EXPECT_EQ(show("kstack", std::vector<uint8_t>(16, 0)), std::nullopt);
  EXPECT_EQ(show("raw", bytes_of<uint32_t>(1)), std::nullopt);
}

TEST(ValueFormat, DecodedKeysBesideTheRawNumber) {
  EXPECT_EQ(decoded_key({ValueKind::kSignal, {}}, "sig"), "sig_name");
  EXPECT_EQ(decoded_key({ValueKind::kFlags, "open"}, "flags"), "flags_name");
  EXPECT_EQ(decoded_key({ValueKind::kIpv4, {}}, "saddr"), "saddr_text");
  EXPECT_EQ(decoded_key({ValueKind::kDuration, "us"}, "delta_us"), "delta_us_text");
  EXPECT_EQ(decoded_key({}, "pid"), "");
  EXPECT_TRUE(is_family_member("family"));
  EXPECT_TRUE(is_family_member("af"));
  EXPECT_FALSE(is_family_member("saddr"));
}

class InferValueFormat : public ::testing::Test {
 protected:
  void SetUp() override {
    b_ = new_btf();
    btf* b = b_.get();
    s32_ = btf__add_int(b, "int", 4, BTF_INT_SIGNED);
    u32_ = btf__add_int(b, "unsigned int", 4, 0);
    u64_ = btf__add_int(b, "unsigned long long", 8, 0);
    u128_ = btf__add_int(b, "unsigned __int128", 16, 0);
    int uchar = btf__add_int(b, "unsigned char", 1, 0);
    int u8 = btf__add_typedef(b, "__u8", uchar);
    int chr = btf__add_int(b, "char", 1, BTF_INT_SIGNED);
    u8x4_ = btf__add_array(b, s32_, u8, 4);
    u8x16_ = btf__add_array(b, s32_, u8, 16);
    u32x4_ = btf__add_array(b, s32_, u32_, 4);
    chars16_ = btf__add_array(b, s32_, chr, 16);
    u32_typedef_ = btf__add_typedef(b, "__u32", u32_);
  }
  ValueFormat infer(std::string_view name, int type, bool family = false) {
    return infer_value_format(b_.get(), name, static_cast<uint32_t>(type), family);
  }

  testing::BtfHandle b_;
  int s32_ = 0, u32_ = 0, u64_ = 0, u128_ = 0, u8x4_ = 0, u8x16_ = 0, u32x4_ = 0, chars16_ = 0;
  int u32_typedef_ = 0;
};

TEST_F(InferValueFormat, NamesOfSignalsErrnosAndSyscalls) {
  EXPECT_EQ(infer("sig", s32_).kind, ValueKind::kSignal);
  EXPECT_EQ(infer("signo", u32_typedef_).kind, ValueKind::kSignal);
  EXPECT_EQ(infer("err", s32_).kind, ValueKind::kErrno);
  EXPECT_EQ(infer("err", u32_).kind, ValueKind::kRaw);  // errno values are signed
  EXPECT_EQ(infer("syscall_id", u32_).kind, ValueKind::kSyscall);
  EXPECT_EQ(infer("sysno", u64_).kind, ValueKind::kSyscall);
  for (std::string_view name : {"id", "nr", "ret", "pid", "sport", "dport", "flags"}) {
    EXPECT_EQ(infer(name, s32_).kind, ValueKind::kRaw) << name;
  }
  EXPECT_EQ(infer("sig", u8x4_).kind, ValueKind::kRaw);  // not an integer
}

TEST_F(InferValueFormat, AddressesBySize) {
  EXPECT_EQ(infer("saddr", u32_typedef_).kind, ValueKind::kIpv4);
  EXPECT_EQ(infer("daddr", u8x4_).kind, ValueKind::kIpv4);
  EXPECT_EQ(infer("saddr", u8x16_).kind, ValueKind::kIpv6);
  EXPECT_EQ(infer("daddr_v6", u128_).kind, ValueKind::kIpv6);
  EXPECT_EQ(infer("saddr_v6", u32x4_).kind, ValueKind::kIpv6);
  EXPECT_EQ(infer("saddr", u8x16_, true).kind, ValueKind::kIp);
  EXPECT_EQ(infer("saddr_v4", u32_, true).kind, ValueKind::kIpv4);
  EXPECT_EQ(infer("addr_v4", u32_).kind, ValueKind::kIpv4);
  EXPECT_EQ(infer("addr", u32_).kind, ValueKind::kRaw);  // too vague
  EXPECT_EQ(infer("saddr", u64_).kind, ValueKind::kRaw);
  EXPECT_EQ(infer("src", chars16_).kind, ValueKind::kRaw);  // text, not an address
}

TEST_F(InferValueFormat, DurationsByUnitSuffix) {
  EXPECT_EQ(infer("delta_us", u64_), (ValueFormat{ValueKind::kDuration, "us"}));
  EXPECT_EQ(infer("lat_ns", u64_), (ValueFormat{ValueKind::kDuration, "ns"}));
  EXPECT_EQ(infer("duration_ms", u32_), (ValueFormat{ValueKind::kDuration, "ms"}));
  EXPECT_EQ(infer("ts_ns", u64_).kind, ValueKind::kRaw);     // a point in time
  EXPECT_EQ(infer("start_ns", u64_).kind, ValueKind::kRaw);  // a point in time
  EXPECT_EQ(infer("_ns", u64_).kind, ValueKind::kRaw);
  EXPECT_EQ(infer("bytes", u64_).kind, ValueKind::kRaw);
  EXPECT_EQ(infer_value_format(nullptr, "sig", 1, false).kind, ValueKind::kRaw);
  EXPECT_EQ(infer("sig", 9999).kind, ValueKind::kRaw);  // bad type id
}

}  // namespace
}  // namespace lmp::output
