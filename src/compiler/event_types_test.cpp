#include "compiler/event_types.h"

#include <gtest/gtest.h>

#include "output/test_btf.h"

namespace lmp::compiler {
namespace {

TEST(EventTypes, RecordFitsExactSizeOrACutTrailingArray) {
  auto handle = output::testing::new_btf();
  btf* b = handle.get();
  int s32 = btf__add_int(b, "int", 4, BTF_INT_SIGNED);
  int ch = btf__add_int(b, "char", 1, BTF_INT_SIGNED);
  int arr = btf__add_array(b, s32, ch, 8);
  int with_array = btf__add_struct(b, "rec", 16);
  btf__add_field(b, "pid", s32, 0, 0);
  btf__add_field(b, "n", s32, 32, 0);
  btf__add_field(b, "args", arr, 64, 0);
  int plain = btf__add_struct(b, "pair", 8);
  btf__add_field(b, "a", s32, 0, 0);
  btf__add_field(b, "b", s32, 32, 0);

  EXPECT_TRUE(record_fits(b, with_array, 16));
  EXPECT_TRUE(record_fits(b, with_array, 11));  // cut inside args
  EXPECT_TRUE(record_fits(b, with_array, 8));   // args empty
  EXPECT_FALSE(record_fits(b, with_array, 6));  // cut before the last member
  EXPECT_FALSE(record_fits(b, with_array, 24));
  EXPECT_TRUE(record_fits(b, plain, 8));
  EXPECT_FALSE(record_fits(b, plain, 6));
  EXPECT_FALSE(record_fits(b, s32, 4));  // not a struct
}

}  // namespace
}  // namespace lmp::compiler
