#include "package/package.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "package/test_objects.h"

namespace lmp::package {
namespace {

using nlohmann::json;
using testing::fake_bpf_elf;
using testing::full_meta;
using testing::minimal_meta;
using testing::package_json;

TEST(PackageTest, ParsesEveryField) {
  auto elf = fake_bpf_elf(500);
  auto r = parse_package(package_json(elf, full_meta()).dump());
  ASSERT_TRUE(r) << r.error().message;
  const Package& p = *r;
  EXPECT_EQ(p.bpf_object, elf);
  const BpfSkel& skel = p.meta.bpf_skel;
  EXPECT_EQ(skel.obj_name, "runqlat_bpf");
  ASSERT_EQ(skel.data_sections.size(), 2u);
  const Variable& min_us = skel.data_sections[0].variables[0];
  EXPECT_EQ(min_us.name, "min_us");
  EXPECT_EQ(min_us.type, "unsigned long long");
  EXPECT_EQ(min_us.description, "minimum latency");
  ASSERT_TRUE(min_us.cmdarg);
  EXPECT_EQ(min_us.cmdarg->default_value, json(10));
  EXPECT_EQ(min_us.cmdarg->long_name, "min");
  EXPECT_EQ(min_us.cmdarg->short_name, "m");
  EXPECT_EQ(min_us.cmdarg->help, "only slower");
  EXPECT_EQ(min_us.extra, json::object()) << "size is padding";
  const Variable& comm = skel.data_sections[0].variables[1];
  EXPECT_EQ(comm.value, json("bash"));
  EXPECT_EQ(comm.extra, json({{"unit", "name"}}));
  ASSERT_EQ(skel.maps.size(), 3u);
  ASSERT_TRUE(skel.maps[0].sample);
  EXPECT_EQ(skel.maps[0].sample->type, "log2_hist");
  EXPECT_EQ(skel.maps[0].sample->interval_ms, 1000u);
  EXPECT_EQ(skel.maps[0].sample->unit, "usecs");
  EXPECT_TRUE(skel.maps[0].sample->clear_map);
  EXPECT_EQ(skel.maps[1].mmaped, true);
  EXPECT_EQ(skel.maps[2].export_config, json({{"format", "lines"}}));
  ASSERT_EQ(skel.progs.size(), 2u);
  EXPECT_EQ(skel.progs[0].attach, "tp_btf/sched_switch");
  EXPECT_FALSE(skel.progs[1].link);
  EXPECT_EQ(skel.progs[1].extra["tchook"]["ifindex"], 1);
  EXPECT_EQ(skel.progs[1].extra["tcopts"]["handle"], 1);
  ASSERT_TRUE(skel.doc);
  EXPECT_EQ(skel.doc->brief, "run queue latency");
  ASSERT_EQ(p.meta.export_types.size(), 1u);
  EXPECT_EQ(p.meta.export_types[0].type_id, 613u);
  EXPECT_EQ(p.meta.export_types[0].members[1].type, "char[16]");
  EXPECT_EQ(p.meta.export_types[0].members[0].format, "hex");  // `/// @format`
  EXPECT_EQ(p.meta.export_types[0].members[1].format, "");
  EXPECT_EQ(p.meta.perf_buffer_pages, 128u);
  EXPECT_EQ(p.meta.perf_buffer_time_ms, 20u);
  EXPECT_EQ(p.meta.poll_timeout_ms, 50u);
  EXPECT_TRUE(p.meta.debug_verbose);
  EXPECT_FALSE(p.meta.print_header);
  EXPECT_TRUE(p.meta.enable_multiple_export_types);
}

TEST(PackageTest, Defaults) {
  auto r = parse_package(package_json(fake_bpf_elf(), minimal_meta()).dump());
  ASSERT_TRUE(r) << r.error().message;
  const Meta& meta = r->meta;
  EXPECT_TRUE(meta.export_types.empty());
  EXPECT_TRUE(meta.bpf_skel.data_sections.empty());
  EXPECT_TRUE(meta.bpf_skel.maps.empty());
  EXPECT_TRUE(meta.bpf_skel.progs.empty());
  EXPECT_FALSE(meta.bpf_skel.doc);
  EXPECT_EQ(meta.perf_buffer_pages, 64u);
  EXPECT_EQ(meta.perf_buffer_time_ms, 10u);
  EXPECT_EQ(meta.poll_timeout_ms, 100u);
  EXPECT_FALSE(meta.debug_verbose);
  EXPECT_TRUE(meta.print_header);
  EXPECT_FALSE(meta.enable_multiple_export_types);
}

TEST(PackageTest, DefaultsInsideEntries) {
  json meta = json::parse(R"({"bpf_skel": {"obj_name": "x",
      "maps": [{"name": "m", "sample": {}}], "progs": [{"name": "p", "attach": "kprobe/x"}]}})");
  auto r = parse_package(package_json(fake_bpf_elf(), meta).dump());
  ASSERT_TRUE(r) << r.error().message;
  const MapInfo& map = r->meta.bpf_skel.maps[0];
  EXPECT_EQ(map.ident, "m") << "ident defaults to the name";
  EXPECT_FALSE(map.mmaped);
  ASSERT_TRUE(map.sample);
  EXPECT_EQ(map.sample->interval_ms, 1000u);
  EXPECT_EQ(map.sample->type, "default_kv");
  EXPECT_TRUE(map.export_config.is_null());
  EXPECT_TRUE(r->meta.bpf_skel.progs[0].link);
  EXPECT_EQ(r->meta.bpf_skel.progs[0].extra, json::object());
}

TEST(PackageTest, NullMapsAndProgs) {
  json meta = {
      {"bpf_skel",
       {{"obj_name", "x"}, {"maps", nullptr}, {"progs", nullptr}, {"data_sections", nullptr}}},
      {"export_types", nullptr}};
  auto r = parse_package(package_json(fake_bpf_elf(), meta).dump());
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_TRUE(r->meta.bpf_skel.maps.empty());
  EXPECT_TRUE(r->meta.bpf_skel.progs.empty());
  EXPECT_TRUE(r->meta.export_types.empty());
}

TEST(PackageTest, UnknownKeysIgnored) {
  json meta = full_meta();
  meta["future_option"] = 1;
  meta["bpf_skel"]["future"] = {1, 2};
  meta["bpf_skel"]["data_sections"][0]["future"] = true;
  meta["export_types"][0]["future"] = "x";
  meta["bpf_skel"]["doc"]["future"] = 3;
  json doc = package_json(fake_bpf_elf(), meta);
  doc["future_top_level"] = {{"a", 1}};
  auto with_unknown = parse_package(doc.dump());
  auto without = parse_package(package_json(fake_bpf_elf(), full_meta()).dump());
  ASSERT_TRUE(with_unknown) << with_unknown.error().message;
  ASSERT_TRUE(without);
  EXPECT_EQ(*with_unknown, *without);
}

TEST(PackageTest, DuplicateVariableLastWins) {
  json meta = json::parse(R"({"bpf_skel": {"obj_name": "x", "data_sections": [
      {"name": ".rodata", "variables": [
        {"name": "a", "type": "int", "description": "first"},
        {"name": "b", "type": "int"},
        {"name": "a", "type": "long", "description": "second"}]}]}})");
  auto r = parse_package(package_json(fake_bpf_elf(), meta).dump());
  ASSERT_TRUE(r) << r.error().message;
  const auto& vars = r->meta.bpf_skel.data_sections[0].variables;
  ASSERT_EQ(vars.size(), 2u);
  EXPECT_EQ(vars[0].name, "a");
  EXPECT_EQ(vars[0].type, "long");
  EXPECT_EQ(vars[0].description, "second");
  EXPECT_EQ(vars[1].name, "b");
}

TEST(PackageTest, DocAcceptsScalarsAsText) {
  json meta = minimal_meta();
  meta["bpf_skel"]["doc"] = {{"version", 1.5}, {"brief", "b"}};
  auto r = parse_package(package_json(fake_bpf_elf(), meta).dump());
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->meta.bpf_skel.doc->version, "1.5");
}

TEST(PackageTest, JsonRoundTrip) {
  auto first = parse_package(package_json(fake_bpf_elf(300), full_meta()).dump());
  ASSERT_TRUE(first) << first.error().message;
  std::string text = write_package_json(*first);
  EXPECT_NE(text.find("\n  \"bpf_object\": "), std::string::npos) << "2-space indent";
  auto second = parse_package(text);
  ASSERT_TRUE(second) << second.error().message;
  EXPECT_EQ(*second, *first);
  EXPECT_EQ(write_package_json(*second), text);
}

TEST(PackageTest, YamlRoundTrip) {
  auto first = parse_package(package_json(fake_bpf_elf(300), full_meta()).dump());
  ASSERT_TRUE(first) << first.error().message;
  std::string yaml = write_package_yaml(*first);
  EXPECT_NE(yaml.front(), '{');
  auto second = parse_package(yaml);
  ASSERT_TRUE(second) << second.error().message << "\n" << yaml;
  EXPECT_EQ(*second, *first);
  // Strings that look like other types survive ("1.0" stays a string).
  EXPECT_EQ(second->meta.bpf_skel.doc->version, "1.0");
}

TEST(PackageTest, WriterOmitsUnsetOptionalFields) {
  auto r = parse_package(package_json(fake_bpf_elf(), minimal_meta()).dump());
  ASSERT_TRUE(r);
  Package p = *r;
  Variable var;
  var.name = "v";
  var.type = "int";
  p.meta.bpf_skel.data_sections.push_back({".bss", {var}});
  MapInfo map_info;
  map_info.name = "m";
  map_info.ident = "m";
  p.meta.bpf_skel.maps.push_back(map_info);
  json out = to_json(p);
  json var_json = out["meta"]["bpf_skel"]["data_sections"][0]["variables"][0];
  EXPECT_EQ(var_json, json({{"name", "v"}, {"type", "int"}}));
  json map = out["meta"]["bpf_skel"]["maps"][0];
  EXPECT_EQ(map, json({{"name", "m"}, {"ident", "m"}}));
  EXPECT_FALSE(out["meta"]["bpf_skel"].contains("doc"));
  EXPECT_EQ(out["bpf_object_size"], 64);
}

// An example in the shape ecc writes, as YAML.
constexpr std::string_view kExampleYaml = R"(# written by hand, eunomia-bpf layout
bpf_object: BPF_OBJECT
bpf_object_size: BPF_OBJECT_SIZE
meta:
  bpf_skel:
    obj_name: bootstrap_bpf
    data_sections:
      - name: .rodata
        variables:
          - name: min_duration_ns
            type: unsigned long long
            description: Process minimum duration in ns
            cmdarg:
              default: 0
              long: duration
              short: d
              help: "minimum duration, in ns"
      - name: .bss
        variables:
          - name: __eunomia_dummy_event_ptr
            type: struct event *
    maps:
      - name: exec_start
        ident: exec_start
      - name: rb
        ident: rb
      - name: bootstra.rodata
        ident: rodata
        mmaped: true
    progs:
      - name: handle_exec
        attach: tp/sched/sched_process_exec
        link: true
      - name: handle_exit
        attach: tp/sched/sched_process_exit
        link: true
    doc:
      brief: trace process start and exit
      version: '0.1'
  eunomia_version: 0.3.4
  export_types:
    - name: event
      size: 40
      type_id: 613
      members:
        - {name: pid, type: int}
        - {name: ppid, type: int}
        - {name: exit_code, type: unsigned int}
        - {name: duration_ns, type: unsigned long long}
        - {name: comm, type: 'char[16]'}
        - {name: exit_event, type: bool}
)";

TEST(PackageTest, ParsesEunomiaExampleYaml) {
  auto elf = fake_bpf_elf(64);
  std::string text(kExampleYaml);
  text.replace(text.find("BPF_OBJECT_SIZE"), 15, std::to_string(elf.size()));
  text.replace(text.find("BPF_OBJECT"), 10, encode_bpf_object(elf));
  auto r = parse_package(text);
  ASSERT_TRUE(r) << r.error().message;
  const Meta& meta = r->meta;
  EXPECT_EQ(r->bpf_object, elf);
  EXPECT_EQ(meta.eunomia_version, "0.3.4");
  EXPECT_EQ(meta.bpf_skel.obj_name, "bootstrap_bpf");
  ASSERT_EQ(meta.bpf_skel.data_sections.size(), 2u);
  const Variable& v = meta.bpf_skel.data_sections[0].variables[0];
  EXPECT_EQ(v.type, "unsigned long long");
  ASSERT_TRUE(v.cmdarg);
  EXPECT_EQ(v.cmdarg->default_value, json(0));
  EXPECT_EQ(v.cmdarg->short_name, "d");
  EXPECT_EQ(v.cmdarg->help, "minimum duration, in ns");
  EXPECT_EQ(meta.bpf_skel.data_sections[1].variables[0].type, "struct event *");
  ASSERT_EQ(meta.bpf_skel.maps.size(), 3u);
  EXPECT_EQ(meta.bpf_skel.maps[2].mmaped, true);
  ASSERT_EQ(meta.bpf_skel.progs.size(), 2u);
  EXPECT_EQ(meta.bpf_skel.progs[1].attach, "tp/sched/sched_process_exit");
  EXPECT_EQ(meta.bpf_skel.doc->version, "0.1");
  ASSERT_EQ(meta.export_types.size(), 1u);
  EXPECT_EQ(meta.export_types[0].size, 40u);
  ASSERT_EQ(meta.export_types[0].members.size(), 6u);
  EXPECT_EQ(meta.export_types[0].members[4].type, "char[16]");
}

TEST(PackageTest, ReadPackageFilePrefixesPath) {
  auto dir = std::filesystem::temp_directory_path() / "lmp_package_test";
  std::filesystem::create_directories(dir);
  auto good = dir / "package.json";
  auto bad = dir / "bad.json";
  {
    std::ofstream(good) << package_json(fake_bpf_elf(), minimal_meta()).dump();
    std::ofstream(bad) << "{\"bpf_object\": \"abc";
  }
  auto ok = read_package_file(good);
  ASSERT_TRUE(ok) << ok.error().message;
  EXPECT_EQ(ok->meta.bpf_skel.obj_name, "minimal_bpf");
  auto r = read_package_file(bad);
  ASSERT_FALSE(r);
  EXPECT_TRUE(r.error().message.starts_with(bad.string() + ": truncated or invalid JSON at byte"))
      << r.error().message;
  auto missing = read_package_file(dir / "nope.json");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, ExitCode::kNotFound);
  std::filesystem::remove_all(dir);
}

TEST(PackageTest, ParseMetaAlone) {
  auto meta = parse_meta(full_meta());
  ASSERT_TRUE(meta) << meta.error().message;
  auto again = parse_meta(to_json(*meta));
  ASSERT_TRUE(again);
  EXPECT_EQ(*again, *meta);
  EXPECT_EQ(parse_meta(json(3)).error().message, "meta: expected an object");
}

}  // namespace
}  // namespace lmp::package
