#include "compiler/btf_text.h"

#include <bpf/btf.h>
#include <gtest/gtest.h>

#include "compiler/object_meta.h"

namespace lmp::compiler {
namespace {

class BtfTextTest : public ::testing::Test {
 protected:
  void SetUp() override {
    b_.reset(btf__new_empty());
    ASSERT_TRUE(b_);
    uint_ = btf__add_int(b_.get(), "unsigned int", 4, 0);
    int_ = btf__add_int(b_.get(), "int", 4, BTF_INT_SIGNED);
    char_ = btf__add_int(b_.get(), "char", 1, BTF_INT_SIGNED);
    u32_ = btf__add_typedef(b_.get(), "__u32", uint_);
    comm_ = btf__add_array(b_.get(), int_, char_, 16);
    event_ = btf__add_struct(b_.get(), "event", 24);
    btf__add_field(b_.get(), "pid", int_, 0, 0);
    btf__add_field(b_.get(), "uid", u32_, 32, 0);
    btf__add_field(b_.get(), "comm", comm_, 64, 0);
  }
  btf* get() { return b_.get(); }

  BtfPtr b_;
  int uint_ = 0, int_ = 0, char_ = 0, u32_ = 0, comm_ = 0, event_ = 0;
};

TEST_F(BtfTextTest, NamesTypesLikeC) {
  EXPECT_EQ(btf_type_text(get(), 0), "void");
  EXPECT_EQ(btf_type_text(get(), uint_), "unsigned int");
  EXPECT_EQ(btf_type_text(get(), u32_), "__u32");
  EXPECT_EQ(btf_type_text(get(), comm_), "char[16]");
  EXPECT_EQ(btf_type_text(get(), event_), "struct event");
  int void_ptr = btf__add_ptr(get(), 0);
  int char_ptr_ptr = btf__add_ptr(get(), btf__add_ptr(get(), char_));
  EXPECT_EQ(btf_type_text(get(), void_ptr), "void *");
  EXPECT_EQ(btf_type_text(get(), char_ptr_ptr), "char **");
  int cv = btf__add_const(get(), btf__add_volatile(get(), int_));
  EXPECT_EQ(btf_type_text(get(), cv), "int");
  int state = btf__add_enum(get(), "state", 4);
  btf__add_enum_value(get(), "RUNNING", 0);
  EXPECT_EQ(btf_type_text(get(), state), "enum state");
  int matrix = btf__add_array(get(), int_, btf__add_array(get(), int_, int_, 3), 2);
  EXPECT_EQ(btf_type_text(get(), matrix), "int[2][3]");
  int anon = btf__add_union(get(), nullptr, 4);
  EXPECT_EQ(btf_type_text(get(), anon), "union <anonymous>");
}

TEST_F(BtfTextTest, ExportTypeListsMembers) {
  auto type = make_export_type(get(), "event");
  ASSERT_TRUE(type) << type.error().message;
  EXPECT_EQ(type->name, "event");
  EXPECT_EQ(type->size, 24u);
  EXPECT_EQ(type->type_id, static_cast<uint32_t>(event_));
  ASSERT_EQ(type->members.size(), 3u);
  EXPECT_EQ(type->members[1].name, "uid");
  EXPECT_EQ(type->members[1].type, "__u32");
  EXPECT_EQ(type->members[2].type, "char[16]");
  EXPECT_FALSE(make_export_type(get(), "missing"));
}

TEST_F(BtfTextTest, DataSectionsListGlobalVariables) {
  int cv = btf__add_const(get(), btf__add_volatile(get(), int_));
  int pid = btf__add_var(get(), "targ_pid", BTF_VAR_GLOBAL_ALLOCATED, cv);
  int local = btf__add_var(get(), "fmt", BTF_VAR_STATIC, comm_);
  btf__add_datasec(get(), ".rodata", 20);
  btf__add_datasec_var_info(get(), pid, 0, 4);
  btf__add_datasec_var_info(get(), local, 4, 16);
  int map = btf__add_var(get(), "events", BTF_VAR_GLOBAL_ALLOCATED, event_);
  btf__add_datasec(get(), ".maps", 24);
  btf__add_datasec_var_info(get(), map, 0, 24);
  auto sections = read_data_sections(get());
  ASSERT_EQ(sections.size(), 1u);
  EXPECT_EQ(sections[0].name, ".rodata");
  ASSERT_EQ(sections[0].variables.size(), 1u);
  EXPECT_EQ(sections[0].variables[0].name, "targ_pid");
  EXPECT_EQ(sections[0].variables[0].type, "int");
}

}  // namespace
}  // namespace lmp::compiler
