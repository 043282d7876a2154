// gen-wasm-skel and build-wasm: a real eBPF object (compiled here with clang) goes through the
// generators; the generated headers are compiled for wasm32 (their _Static_asserts check the
// layout), and the generated app.c runs in lmp's wasm runtime against a fake BpfHost.
#include "compiler/wasm_skel.h"

#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <gtest/gtest.h>
#include <stdlib.h>

#include <cerrno>
#include <cstring>
#include <sstream>

#include "common/file.h"
#include "compiler/clang_driver.h"
#include "compiler/wasm_build.h"
#include "wasm/runtime.h"

namespace lmp::compiler {
namespace {

namespace fs = std::filesystem;

// Every layout case the generators must handle, without vmlinux.h or libbpf's headers.
constexpr const char* kSource = R"C(
#define SEC(name) __attribute__((section(name), used))
#define __uint(name, val) int (*name)[val]
#define __type(name, val) typeof(val) *name
typedef unsigned int u32;
typedef unsigned long long u64;

enum state { STATE_A = 1, STATE_B = -2 };
struct inner { char tag; long value; };
struct event {
  char c;                  /* 0 */
  long l;                  /* 8: 8 bytes on BPF, 4 on wasm32 */
  void *ptr;               /* 16 */
  _Bool flag;              /* 24 */
  enum state st;           /* 28 */
  short matrix[2][3];      /* 32 */
  struct inner nested[2];  /* 48 */
  union { u32 as_int; float as_float; } u;  /* 80 */
  char name[5];            /* 84, then 7 bytes of tail padding */
};
struct __attribute__((packed)) packed_event { char a; u32 b; u64 c; };
struct bits { unsigned a : 3; unsigned b : 5; };

/// @cmdarg {"long": "int-value", "short": "i", "help": "an int"}
const volatile int rodata_int = 7;
const volatile char rodata_name[8] = "abc";
const volatile long long rodata_big = 0x1122334455667788;
int data_counter = 42;
struct event *event_ptr;
struct packed_event *packed_ptr;
struct bits *bits_ptr;

struct { __uint(type, 27); __uint(max_entries, 4096); } events SEC(".maps");
struct map_key { u32 pid; long cookie; };
struct map_value { u64 count; void *last; };
struct {
  __uint(type, 1); __uint(max_entries, 16);
  __type(key, struct map_key); __type(value, struct map_value);
} counts SEC(".maps");
struct { __uint(type, 1); __uint(max_entries, 16); __type(key, u32); __type(value, struct bits); }
    flags SEC(".maps");

SEC("tp/sched/sched_process_exec")
int handle(void *ctx) { return rodata_int + rodata_big + rodata_name[1] + data_counter; }

char LICENSE[] SEC("license") = "GPL";
)C";

class WasmSkelTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    char dir_template[] = "/tmp/lmp-wasm-skel-test-XXXXXX";
    ASSERT_TRUE(mkdtemp(dir_template));
    object_dir_ = new fs::path(dir_template);
    auto clang = find_clang();
    if (!clang) return;
    ASSERT_TRUE(write_file_atomic(*object_dir_ / "t.bpf.c", kSource));
    auto status = run_process({clang->string(), "-g", "-O2", "-target", "bpf", "-c",
                               (*object_dir_ / "t.bpf.c").string(), "-o",
                               (*object_dir_ / "t.bpf.o").string()});
    ASSERT_TRUE(status && *status == 0);
    auto bytes = read_file(*object_dir_ / "t.bpf.o");
    ASSERT_TRUE(bytes);
    object_ = new std::vector<uint8_t>(bytes->begin(), bytes->end());
  }
  static void TearDownTestSuite() {
    fs::remove_all(*object_dir_);
    delete object_dir_;
    delete object_;
  }
  void SetUp() override {
    if (!object_) GTEST_SKIP() << "clang is not installed";
    char dir_template[] = "/tmp/lmp-wasm-skel-test-XXXXXX";
    ASSERT_TRUE(mkdtemp(dir_template));
    dir_ = dir_template;
  }
  void TearDown() override {
    if (!dir_.empty()) fs::remove_all(dir_);
  }

  // A package of the test object exporting `exports`, written to dir_/package.json.
  void write_package(const std::vector<std::string>& exports) {
    package::Package pkg;
    pkg.bpf_object = *object_;
    pkg.meta.bpf_skel.obj_name = "t-test_bpf";
    auto obj = open_bpf_object(pkg.bpf_object, "t");
    ASSERT_TRUE(obj);
    const btf* b = bpf_object__btf(obj->get());
    for (const auto& name : exports) {
      auto type = make_export_type(b, name);
      ASSERT_TRUE(type) << type.error().message;
      pkg.meta.export_types.push_back(*type);
    }
    pkg.meta.bpf_skel.data_sections = read_data_sections(b);
    for (auto& section : pkg.meta.bpf_skel.data_sections) {
      for (auto& v : section.variables) {
        if (v.name == "rodata_int") v.cmdarg = package::CmdArg{{}, "int-value", "i", "an int"};
      }
    }
    ASSERT_TRUE(write_file_atomic(dir_ / "package.json", package::write_package_json(pkg)));
  }

  // Offset of global `name` inside its data section, from the object's BTF.
  static uint32_t variable_offset(const std::string& section, const std::string& name) {
    auto obj = open_bpf_object(*object_, "t");
    const btf* b = bpf_object__btf(obj->get());
    int id = btf__find_by_name_kind(b, section.c_str(), BTF_KIND_DATASEC);
    const btf_type* t = btf__type_by_id(b, static_cast<uint32_t>(id));
    const btf_var_secinfo* info = btf_var_secinfos(t);
    for (uint16_t i = 0; i < btf_vlen(t); ++i) {
      const btf_type* var = btf__type_by_id(b, info[i].type);
      if (name == btf__name_by_offset(b, var->name_off)) return info[i].offset;
    }
    ADD_FAILURE() << "no variable " << name;
    return 0;
  }

  static fs::path* object_dir_;
  static std::vector<uint8_t>* object_;
  fs::path dir_;
};

fs::path* WasmSkelTest::object_dir_ = nullptr;
std::vector<uint8_t>* WasmSkelTest::object_ = nullptr;

// Records what the guest asks for; delivers one sample, then reports an interrupted poll.
class FakeHost : public wasm::BpfHost {
 public:
  int64_t load_object(std::span<const uint8_t> object) override {
    loaded.assign(object.begin(), object.end());
    return 1;
  }
  int attach(int64_t, const std::string& prog, const std::string& target) override {
    attached.push_back(prog + "|" + target);
    return 0;
  }
  int map_fd_by_name(int64_t, const std::string& name) override {
    return name == "events" ? 3 : -ENOENT;
  }
  int buffer_poll(int64_t, int, const wasm::SampleCallback& callback, int) override {
    if (polls++ == 0) return callback(sample);
    return -EINTR;
  }
  int map_operate(int, int, std::span<uint8_t>, std::span<uint8_t>, std::span<uint8_t>,
                  uint64_t) override {
    return -ENOTSUP;
  }
  int close(int64_t) override { return 0; }
  int map_key_size(int) override { return 4; }
  int map_value_size(int) override { return 4; }

  std::vector<uint8_t> loaded;
  std::vector<std::string> attached;
  std::vector<uint8_t> sample;
  int polls = 0;
};

template <typename T>
void put(std::vector<uint8_t>& bytes, std::size_t offset, T value) {
  std::memcpy(bytes.data() + offset, &value, sizeof(value));
}

TEST_F(WasmSkelTest, TypesKeepTheEbpfLayout) {
  write_package({"event", "packed_event"});
  auto model = read_wasm_skel_model(*package::read_package_file(dir_ / "package.json"));
  ASSERT_TRUE(model) << model.error().message;
  EXPECT_EQ(model->name, "t_test");
  std::string types = types_header(*model);
  EXPECT_NE(types.find("struct event {\n  char c;\n  uint8_t __pad0[7];\n  int64_t l;\n"
                       "  uint64_t ptr;\n  bool flag;\n  uint8_t __pad1[3];\n  int32_t st;"),
            std::string::npos)
      << types;
  EXPECT_NE(types.find("int16_t matrix[2][3];"), std::string::npos);
  EXPECT_NE(types.find("struct inner nested[2];"), std::string::npos);
  EXPECT_NE(types.find("char name[5];\n  uint8_t __pad3[7];\n};"), std::string::npos) << types;
  EXPECT_NE(types.find("enum state {\n  STATE_A = 1,\n  STATE_B = -2,\n};"), std::string::npos);
  EXPECT_NE(types.find("struct __attribute__((packed)) packed_event"), std::string::npos);
  EXPECT_NE(types.find("_Static_assert(sizeof(struct event) == 96"), std::string::npos);
  EXPECT_NE(types.find("_Static_assert(offsetof(struct packed_event, c) == 5"), std::string::npos);
  // The rodata record: globals at their section offsets.
  EXPECT_NE(types.find(std::to_string(variable_offset(".rodata", "rodata_big"))),
            std::string::npos);
  std::string skel = skel_header(*model);
  auto rodata = find_elf_section(*object_, ".rodata");
  ASSERT_TRUE(rodata);
  EXPECT_NE(skel.find("#define t_test_BPF_RODATA_OFFSET " + std::to_string(rodata->offset) + "u"),
            std::string::npos);
  EXPECT_NE(skel.find("struct t_test_bpf_rodata *rodata;"), std::string::npos);
  EXPECT_NE(skel.find("struct t_test_bpf_data *data;"), std::string::npos);
  EXPECT_NE(skel.find("struct bpf_map *events;  /* ring buffer */"), std::string::npos);
  // Map key/value structs too; the bit-field value of `flags` is left out, not an error.
  EXPECT_NE(types.find("struct map_key {\n  uint32_t pid;\n  uint8_t __pad"), std::string::npos)
      << types;
  EXPECT_NE(types.find("_Static_assert(sizeof(struct map_value) == 16"), std::string::npos);
  EXPECT_EQ(types.find("struct bits"), std::string::npos);
}

TEST_F(WasmSkelTest, GeneratedAppCompilesForWasm32AndRunsAgainstTheHost) {
  if (!find_wasm_toolchain()) GTEST_SKIP() << "the wasm32-wasi toolchain is not installed";
  write_package({"event", "packed_event"});
  auto generated = gen_wasm_skel(dir_, false);
  ASSERT_TRUE(generated) << generated.error().message;
  for (const char* f : {"lmp-wasm.h", "t_test.wasm.h", "t_test.skel.h", "app.c"}) {
    EXPECT_TRUE(fs::is_regular_file(dir_ / f)) << f;
  }
  auto built = build_wasm(dir_);  // the _Static_asserts are checked by clang for wasm32
  ASSERT_TRUE(built) << built.error().message;
  auto wasm_bytes = read_file(*built);
  ASSERT_TRUE(wasm_bytes);
  std::vector<uint8_t> module(wasm_bytes->begin(), wasm_bytes->end());

  FakeHost help_host;
  std::ostringstream help_out, help_err;
  auto help = wasm::run_module(module, {"app.wasm", "-h"}, help_host, help_out, help_err);
  ASSERT_TRUE(help) << help.error().message;
  EXPECT_EQ(*help, 0);
  EXPECT_NE(help_out.str().find("-i, --int-value=N"), std::string::npos) << help_out.str();
  EXPECT_NE(help_out.str().find("an int (default: 7)"), std::string::npos) << help_out.str();
  EXPECT_NE(help_out.str().find("--rodata-name=TEXT"), std::string::npos) << help_out.str();
  EXPECT_TRUE(help_host.loaded.empty());

  FakeHost bad_host;
  std::ostringstream bad_out, bad_err;
  auto bad = wasm::run_module(module, {"app.wasm", "--int-value", "x"}, bad_host, bad_out, bad_err);
  ASSERT_TRUE(bad);
  EXPECT_EQ(*bad, 2);
  EXPECT_NE(bad_err.str().find("invalid value 'x' for --int-value"), std::string::npos);

  FakeHost host;
  host.sample.assign(96, 0);
  host.sample[0] = 'x';
  put<int64_t>(host.sample, 8, -5);
  put<uint64_t>(host.sample, 16, 0x1000);
  host.sample[24] = 1;
  put<int32_t>(host.sample, 28, -2);
  put<int16_t>(host.sample, 32 + (1 * 3 + 2) * 2, 9);
  put<int64_t>(host.sample, 48 + 16 + 8, 77);
  put<uint32_t>(host.sample, 80, 5);
  std::memcpy(host.sample.data() + 84, "hey", 3);
  std::ostringstream out, err;
  auto run = wasm::run_module(
      module,
      {"app.wasm", "--int-value", "99", "--rodata-name=xyz", "-i", "100", "--rodata-big", "0x10"},
      host, out, err);
  ASSERT_TRUE(run) << run.error().message;
  EXPECT_EQ(*run, 0) << err.str();
  EXPECT_EQ(host.attached, (std::vector<std::string>{"handle|"}));
  EXPECT_NE(out.str().find("c=120 l=-5 ptr=0x1000 flag=true st=-2 matrix=[[0,0,0],[0,0,9]] "
                           "nested=[{tag=0 value=0},{tag=0 value=77}] u={as_int=5 as_float="),
            std::string::npos)
      << out.str() << err.str();
  EXPECT_NE(out.str().find(" name=hey\n"), std::string::npos) << out.str();

  // The object handed to the host carries the options in .rodata, at the BTF offsets.
  ASSERT_EQ(host.loaded.size(), object_->size());
  auto rodata = find_elf_section(host.loaded, ".rodata");
  ASSERT_TRUE(rodata);
  int32_t int_value = 0;
  int64_t big = 0;
  std::memcpy(&int_value,
              host.loaded.data() + rodata->offset + variable_offset(".rodata", "rodata_int"), 4);
  std::memcpy(&big, host.loaded.data() + rodata->offset + variable_offset(".rodata", "rodata_big"),
              8);
  EXPECT_EQ(int_value, 100);
  EXPECT_EQ(big, 16);
  EXPECT_EQ(std::string(reinterpret_cast<const char*>(host.loaded.data() + rodata->offset +
                                                      variable_offset(".rodata", "rodata_name"))),
            "xyz");
  auto data = find_elf_section(host.loaded, ".data");
  ASSERT_TRUE(data);
  int32_t counter = 0;
  std::memcpy(&counter,
              host.loaded.data() + data->offset + variable_offset(".data", "data_counter"), 4);
  EXPECT_EQ(counter, 42);
}

TEST_F(WasmSkelTest, KeepsAnExistingAppUnlessForced) {
  write_package({"event"});
  ASSERT_TRUE(write_file_atomic(dir_ / "app.c", "mine"));
  auto kept = gen_wasm_skel(dir_, false);
  ASSERT_TRUE(kept) << kept.error().message;
  EXPECT_TRUE(kept->kept_app);
  EXPECT_EQ(*read_file(dir_ / "app.c"), "mine");
  EXPECT_TRUE(fs::is_regular_file(dir_ / "t_test.skel.h"));
  auto forced = gen_wasm_skel(dir_, true);
  ASSERT_TRUE(forced);
  EXPECT_FALSE(forced->kept_app);
  EXPECT_NE(read_file(dir_ / "app.c")->find("int main"), std::string::npos);
}

TEST_F(WasmSkelTest, RefusesBitFieldsMissingAndBadPackagesWithoutWritingAnything) {
  write_package({"bits"});
  auto bits = gen_wasm_skel(dir_, false);
  ASSERT_FALSE(bits);
  EXPECT_NE(bits.error().message.find("struct bits.a: bit-fields"), std::string::npos)
      << bits.error().message;
  EXPECT_FALSE(fs::exists(dir_ / "app.c"));
  EXPECT_FALSE(fs::exists(dir_ / "lmp-wasm.h"));

  fs::remove(dir_ / "package.json");
  auto missing = gen_wasm_skel(dir_, false);
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, ExitCode::kNotFound);
  EXPECT_NE(missing.error().hint.find("lmp build"), std::string::npos);

  ASSERT_TRUE(write_file_atomic(dir_ / "package.json", "{\"bpf_object\": 1}"));
  auto bad = gen_wasm_skel(dir_, false);
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, ExitCode::kBadPackage);
  EXPECT_EQ(std::distance(fs::directory_iterator(dir_), fs::directory_iterator()), 1);
}

TEST(WasmSkelName, IsACIdentifierWithoutTheBpfSuffix) {
  EXPECT_EQ(skel_name("my-tool"), "my_tool");
  EXPECT_EQ(skel_name("opensnoop_bpf"), "opensnoop");
  EXPECT_EQ(skel_name("9lives"), "_9lives");
}

TEST(WasmBuild, NeedsAppC) {
  char dir_template[] = "/tmp/lmp-wasm-build-test-XXXXXX";
  ASSERT_TRUE(mkdtemp(dir_template));
  auto missing = build_wasm(dir_template);
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, ExitCode::kNotFound);
  EXPECT_NE(missing.error().hint.find("gen-wasm-skel"), std::string::npos);
  if (find_wasm_toolchain()) {
    ASSERT_TRUE(
        write_file_atomic(fs::path(dir_template) / "app.c", "int main(void) { return x; }"));
    auto broken = build_wasm(dir_template);
    ASSERT_FALSE(broken);
    EXPECT_EQ(broken.error().code, ExitCode::kBuild);
    EXPECT_FALSE(fs::exists(fs::path(dir_template) / "app.wasm"));
    EXPECT_EQ(std::distance(fs::directory_iterator(dir_template), fs::directory_iterator()), 1);
  }
  fs::remove_all(dir_template);
}

}  // namespace
}  // namespace lmp::compiler
