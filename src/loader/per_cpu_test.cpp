#include "loader/per_cpu.h"

#include <gtest/gtest.h>

#include <bpf/btf.h>

#include <cstring>
#include <memory>

namespace lmp::loader {
namespace {

struct BtfFree {
  void operator()(btf* b) const { btf__free(b); }
};

template <typename T>
void put_per_cpu(std::vector<uint8_t>& out, std::size_t offset, T value) {
  std::memcpy(out.data() + offset, &value, sizeof(T));
}
template <typename T>
T get(const std::vector<uint8_t>& in, std::size_t offset) {
  T value;
  std::memcpy(&value, in.data() + offset, sizeof(T));
  return value;
}

// struct hist { u32 slots[3]; char comm[8]; u64 total; }  (32 bytes), three CPUs.
TEST(LoaderPerCpu, SumsIntegersKeepsFirstText) {
  std::unique_ptr<btf, BtfFree> b(btf__new_empty());
  int u32 = btf__add_int(b.get(), "u32", 4, 0);
  int u64 = btf__add_int(b.get(), "u64", 8, 0);
  int ch = btf__add_int(b.get(), "char", 1, BTF_INT_SIGNED | BTF_INT_CHAR);
  int slots = btf__add_array(b.get(), u32, u32, 3);
  int comm = btf__add_array(b.get(), u32, ch, 8);
  int hist = btf__add_struct(b.get(), "hist", 32);
  btf__add_field(b.get(), "slots", slots, 0, 0);
  btf__add_field(b.get(), "comm", comm, 96, 0);
  btf__add_field(b.get(), "total", u64, 192, 0);
  ASSERT_GT(hist, 0);

  const std::size_t stride = 32;
  std::vector<uint8_t> values(stride * 3, 0);
  for (int cpu = 0; cpu < 3; ++cpu) {
    for (int i = 0; i < 3; ++i)
      put_per_cpu<uint32_t>(values, cpu * stride + i * 4, (cpu + 1) * (i + 1));
    put_per_cpu<uint64_t>(values, cpu * stride + 24, 1000 + cpu);
  }
  std::memcpy(values.data() + stride + 12, "bash", 4);  // only CPU 1 saw a comm
  std::memcpy(values.data() + 2 * stride + 12, "sshd", 4);

  auto merged = merge_per_cpu(b.get(), hist, values, 32, stride);
  ASSERT_EQ(merged.size(), 32u);
  EXPECT_EQ(get<uint32_t>(merged, 0), 1u + 2 + 3);
  EXPECT_EQ(get<uint32_t>(merged, 4), 2u + 4 + 6);
  EXPECT_EQ(get<uint32_t>(merged, 8), 3u + 6 + 9);
  EXPECT_EQ(std::string(reinterpret_cast<const char*>(merged.data() + 12)), "bash");
  EXPECT_EQ(get<uint64_t>(merged, 24), 1000u + 1001 + 1002);
}

TEST(LoaderPerCpu, WithoutBtfSumsPlainIntegersOnly) {
  std::vector<uint8_t> values(16 * 2, 0);  // a u64 counter, two CPUs, stride 16
  put_per_cpu<uint64_t>(values, 0, 5);
  put_per_cpu<uint64_t>(values, 16, 7);
  EXPECT_EQ(get<uint64_t>(merge_per_cpu(nullptr, 0, values, 8, 16), 0), 12u);

  std::vector<uint8_t> odd(16 * 2, 0);  // a 12-byte value: CPU 0's copy
  put_per_cpu<uint32_t>(odd, 0, 1);
  put_per_cpu<uint32_t>(odd, 16, 9);
  EXPECT_EQ(get<uint32_t>(merge_per_cpu(nullptr, 0, odd, 12, 16), 0), 1u);
}

TEST(LoaderPerCpu, ShortInputGivesZeroes) {
  std::vector<uint8_t> values(4, 0xff);
  EXPECT_EQ(merge_per_cpu(nullptr, 0, values, 8, 8), std::vector<uint8_t>(8, 0));
}

}  // namespace
}  // namespace lmp::loader
