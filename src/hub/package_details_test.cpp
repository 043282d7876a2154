#include "hub/package_details.h"

#include <gtest/gtest.h>

#include <cstring>

#include "hub/object_facts.h"
#include "package/test_objects.h"

namespace lmp::hub {
namespace {

using nlohmann::json;

TEST(ProgramTypeTest, FromSectionPrefix) {
  EXPECT_EQ(program_type("tp/sched/sched_process_exec"), "tracepoint");
  EXPECT_EQ(program_type("tracepoint/syscalls/sys_enter_openat"), "tracepoint");
  EXPECT_EQ(program_type("raw_tp/sched_switch"), "raw_tracepoint");
  EXPECT_EQ(program_type("tp_btf/sched_switch"), "tp_btf");
  EXPECT_EQ(program_type("kprobe/do_unlinkat"), "kprobe");
  EXPECT_EQ(program_type("kretprobe/do_unlinkat"), "kprobe");
  EXPECT_EQ(program_type("uretprobe//bin/bash:readline"), "uprobe");
  EXPECT_EQ(program_type("usdt/libc.so.6:libc:setjmp"), "usdt");
  EXPECT_EQ(program_type("fentry/do_unlinkat"), "fentry");
  EXPECT_EQ(program_type("fexit/do_unlinkat"), "fentry");
  EXPECT_EQ(program_type("fmod_ret/security_x"), "fmod_ret");
  EXPECT_EQ(program_type("lsm/file_open"), "lsm");
  EXPECT_EQ(program_type("xdp"), "xdp");
  EXPECT_EQ(program_type("tc"), "tc");
  EXPECT_EQ(program_type("classifier"), "tc");
  EXPECT_EQ(program_type("socket"), "socket_filter");
  EXPECT_EQ(program_type("cgroup_skb/egress"), "cgroup");
  EXPECT_EQ(program_type("cgroup/connect4"), "cgroup");
  EXPECT_EQ(program_type("perf_event"), "perf_event");
  EXPECT_EQ(program_type("iter/task"), "iter");
  EXPECT_EQ(program_type("struct_ops/dummy"), "struct_ops");
  EXPECT_EQ(program_type("sk_msg"), "sk_msg");
  EXPECT_EQ(program_type("madeup/thing"), "other");
}

TEST(PackageDetailsTest, ProgramsMapsOptionsAndHelp) {
  package::Package pkg;
  pkg.bpf_object = package::testing::fake_bpf_elf();
  auto meta = package::parse_meta(package::testing::full_meta());
  ASSERT_TRUE(meta) << meta.error().message;
  pkg.meta = *meta;
  auto details = describe_package(pkg, "runqlat");
  ASSERT_TRUE(details) << details.error().message;
  EXPECT_EQ(details->program_types, (std::vector<std::string>{"tc", "tp_btf"}));
  const json& j = details->json;
  ASSERT_EQ(j["programs"].size(), 2u);
  EXPECT_EQ(
      j["programs"][0],
      (json{{"name", "handle_switch"}, {"attach", "tp_btf/sched_switch"}, {"type", "tp_btf"}}));
  ASSERT_EQ(j["maps"].size(), 2u);  // the .rodata image is not listed
  EXPECT_EQ(j["maps"][0]["name"], "hists");
  EXPECT_EQ(j["maps"][0]["sample"], "log2_hist");
  EXPECT_EQ(j["maps"][1]["name"], "events");
  bool found_min = false;
  for (const json& option : j["options"]) {
    if (option["long"] != "min") continue;
    found_min = true;
    EXPECT_EQ(option["short"], "m");
    EXPECT_EQ(option["default"], "10");
    EXPECT_EQ(option["help"], "only slower");
  }
  EXPECT_TRUE(found_min);
  std::string help = j["help_text"];
  EXPECT_NE(help.find("runqlat"), std::string::npos);
  EXPECT_NE(help.find("--min"), std::string::npos);
  EXPECT_EQ(j["requirements"]["btf"], true);
  EXPECT_EQ(j["requirements"]["ring_buffer"], false);  // no BTF to tell
}

// A little-endian ELF64 BPF object with a .BTF section declaring a ring buffer map `events`
// in .maps and an int `min_us` in .rodata (at offset 4, as its symbol says).
std::vector<std::uint8_t> object_with_btf() {
  std::string strings = std::string("\0int\0events\0type\0.maps\0min_us\0.rodata\0", 38);
  auto str = [&](const char* s) { return static_cast<std::uint32_t>(strings.find(s)); };
  std::vector<std::uint32_t> t = {
      str("int"),
      1u << 24,
      4,
      0x20,  // 1 INT
      0,
      3u << 24,
      0,
      1,
      1,
      27,  // 2 ARRAY int[27]
      0,
      2u << 24,
      2,  // 3 PTR -> 2
      0,
      (4u << 24) | 1,
      8,
      str("type"),
      3,
      0,  // 4 STRUCT { type }
      str("events"),
      14u << 24,
      4,
      1,  // 5 VAR events
      str(".maps"),
      (15u << 24) | 1,
      8,
      5,
      0,
      8,  // 6 DATASEC .maps
      str("min_us"),
      14u << 24,
      1,
      1,  // 7 VAR min_us
      str(".rodata"),
      (15u << 24) | 1,
      8,
      7,
      0,
      4,  // 8 DATASEC .rodata
  };
  std::string btf(24, '\0');
  auto put32 = [](std::string& out, std::size_t at, std::uint32_t v) {
    if (out.size() < at + 4) out.resize(at + 4);
    std::memcpy(out.data() + at, &v, 4);
  };
  std::uint32_t type_len = static_cast<std::uint32_t>(t.size() * 4);
  btf[0] = '\x9f';
  btf[1] = '\xeb';
  btf[2] = 1;
  put32(btf, 4, 24);
  put32(btf, 8, 0);
  put32(btf, 12, type_len);
  put32(btf, 16, type_len);
  put32(btf, 20, static_cast<std::uint32_t>(strings.size()));
  for (std::uint32_t v : t) put32(btf, btf.size(), v);
  btf += strings;

  std::string rodata("\0\0\0\0\x2a\0\0\0", 8);
  std::string symstr = std::string("\0min_us\0", 8);
  std::string symtab(48, '\0');
  put32(symtab, 24, 1);           // st_name
  symtab[24 + 4] = (1 << 4) | 1;  // STB_GLOBAL, STT_OBJECT
  symtab[24 + 6] = 3;             // st_shndx: .rodata
  symtab[24 + 8] = 4;             // st_value
  std::string shstr = std::string("\0.shstrtab\0.BTF\0.rodata\0.symtab\0.strtab\0", 40);

  struct Sec {
    std::uint32_t name, type, link;
    std::string data;
  };
  std::vector<Sec> sections = {{0, 0, 0, ""},
                               {static_cast<std::uint32_t>(shstr.find(".shstrtab")), 3, 0, shstr},
                               {static_cast<std::uint32_t>(shstr.find(".BTF")), 1, 0, btf},
                               {static_cast<std::uint32_t>(shstr.find(".rodata")), 1, 0, rodata},
                               {static_cast<std::uint32_t>(shstr.find(".symtab")), 2, 5, symtab},
                               {static_cast<std::uint32_t>(shstr.find(".strtab")), 3, 0, symstr}};
  auto elf = package::testing::fake_bpf_elf();
  std::string out(elf.begin(), elf.end());
  std::vector<std::uint64_t> offsets;
  for (const Sec& s : sections) {
    offsets.push_back(out.size());
    out += s.data;
  }
  std::uint64_t shoff = out.size();
  for (std::size_t i = 0; i < sections.size(); ++i) {
    std::string header(64, '\0');
    put32(header, 0, sections[i].name);
    put32(header, 4, sections[i].type);
    std::memcpy(header.data() + 0x18, &offsets[i], 8);
    std::uint64_t size = sections[i].data.size();
    std::memcpy(header.data() + 0x20, &size, 8);
    put32(header, 0x28, sections[i].link);
    out += header;
  }
  std::memcpy(out.data() + 0x28, &shoff, 8);
  out[0x3A] = 64;
  out[0x3C] = static_cast<char>(sections.size());
  out[0x3E] = 1;
  return {out.begin(), out.end()};
}

TEST(ObjectFactsTest, ReadsMapTypesAndInitialValues) {
  ObjectFacts facts = read_object_facts(object_with_btf());
  ASSERT_EQ(facts.map_types.count("events"), 1u);
  EXPECT_EQ(facts.map_types["events"], kMapTypeRingbuf);
  EXPECT_EQ(map_type_name(kMapTypeRingbuf), "ringbuf");
  ASSERT_EQ(facts.initial_values.count("min_us"), 1u);
  EXPECT_EQ(facts.initial_values["min_us"], (std::vector<std::uint8_t>{42, 0, 0, 0}));
}

TEST(ObjectFactsTest, TruncatedObjectsGiveFewerFactsNotCrashes) {
  auto object = object_with_btf();
  for (std::size_t n = 0; n < object.size(); ++n)
    (void)read_object_facts(std::span(object.data(), n));
  auto corrupt = object;
  for (std::size_t i = 64; i < corrupt.size(); i += 7) corrupt[i] ^= 0xff;
  (void)read_object_facts(corrupt);
}

TEST(PackageDetailsTest, RingBufferAndObjectDefaultsFromBtf) {
  package::Package pkg;
  pkg.bpf_object = object_with_btf();
  auto meta = package::parse_meta(json::parse(R"({"bpf_skel": {"obj_name": "t",
      "data_sections": [{"name": ".rodata", "variables": [{"name": "min_us", "type": "int"}]}],
      "maps": [{"name": "events", "ident": "events"}],
      "progs": [{"name": "p", "attach": "kprobe/x", "link": true}]}})"));
  ASSERT_TRUE(meta) << meta.error().message;
  pkg.meta = *meta;
  auto details = describe_package(pkg, "t");
  ASSERT_TRUE(details) << details.error().message;
  EXPECT_EQ(details->json["requirements"]["ring_buffer"], true);
  EXPECT_EQ(details->json["maps"][0]["type"], "ringbuf");
  EXPECT_EQ(details->json["options"][0]["default"], "42");
}

}  // namespace
}  // namespace lmp::hub
