// Variable-length records: a struct whose last member is an array, sent only in part.
#include <gtest/gtest.h>

#include <sstream>

#include "output/output.h"
#include "output/test_btf.h"

namespace lmp::output {
namespace {

using testing::new_btf;
using testing::put;
using testing::put_text;

// struct rec { int pid; int count; <tail> data[8]; }  with tail = char or int.
struct RecBtf {
  testing::BtfHandle btf = new_btf();
  uint32_t id = 0;
  uint32_t size = 0;
  explicit RecBtf(bool chars) {
    struct btf* b = btf.get();
    int s32 = btf__add_int(b, "int", 4, BTF_INT_SIGNED);
    int ch = btf__add_int(b, "char", 1, BTF_INT_SIGNED);
    int arr = btf__add_array(b, s32, chars ? ch : s32, 8);
    size = chars ? 16 : 40;
    id = static_cast<uint32_t>(btf__add_struct(b, "rec", size));
    btf__add_field(b, "pid", s32, 0, 0);
    btf__add_field(b, "count", s32, 32, 0);
    btf__add_field(b, "data", arr, 64, 0);
  }
  package::ExportType type() const {
    return {"rec", size, id, {{"pid", ""}, {"count", ""}, {"data", ""}}};
  }
};

nlohmann::json print_json(const RecBtf& r, const std::vector<uint8_t>& data) {
  std::ostringstream out;
  auto printer = EventPrinter::create(r.btf.get(), r.type(), Format::kJson, true, out);
  EXPECT_TRUE(printer);
  if (!printer) return {};
  (*printer)->print(data);
  if (out.str().empty()) return {};
  return nlohmann::json::parse(out.str());
}

TEST(EventPrinterPartial, CharArrayCutInsideIsText) {
  RecBtf r(true);
  std::vector<uint8_t> d;
  put<int32_t>(d, 0, 7);
  put<int32_t>(d, 4, 3);
  put_text(d, 8, "abc", 3);  // 11 bytes of a 16-byte struct, no NUL sent
  auto j = print_json(r, d);
  EXPECT_EQ(j["pid"], 7);
  EXPECT_EQ(j["data"], "abc");
}

TEST(EventPrinterPartial, IntArrayCutInsideHasThePresentElements) {
  RecBtf r(false);
  std::vector<uint8_t> d;
  put<int32_t>(d, 0, 1);
  put<int32_t>(d, 4, 2);
  put<int32_t>(d, 8, 10);
  put<int32_t>(d, 12, 20);
  d.push_back(0xff);  // a partial element is left out
  auto j = print_json(r, d);
  EXPECT_EQ(j["data"], nlohmann::json::array({10, 20}));
}

TEST(EventPrinterPartial, CutAtTheArrayStartIsEmpty) {
  RecBtf r(true);
  std::vector<uint8_t> d;
  put<int32_t>(d, 0, 1);
  put<int32_t>(d, 4, 0);
  EXPECT_EQ(print_json(r, d)["data"], "");
}

TEST(EventPrinterPartial, CutBeforeTheLastMemberIsSkipped) {
  RecBtf r(true);
  std::vector<uint8_t> d(6, 0);
  EXPECT_TRUE(print_json(r, d).is_null());
}

TEST(EventPrinterPartial, TableRowOfACutRecord) {
  RecBtf r(true);
  std::vector<uint8_t> d;
  put<int32_t>(d, 0, 5);
  put<int32_t>(d, 4, 2);
  put_text(d, 8, "xy", 2);
  std::ostringstream out;
  auto printer = EventPrinter::create(r.btf.get(), r.type(), Format::kTable, false, out);
  ASSERT_TRUE(printer);
  (*printer)->print(d);
  EXPECT_NE(out.str().find(" xy\n"), std::string::npos) << out.str();
}

}  // namespace
}  // namespace lmp::output
