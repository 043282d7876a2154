// Validation errors of parse_package: each names the JSON path and what was expected.
#include "package/package.h"

#include <gtest/gtest.h>

#include "package/base64.h"
#include "package/test_objects.h"
#include "package/zlib_codec.h"

namespace lmp::package {
namespace {

using nlohmann::json;
using testing::fake_bpf_elf;
using testing::full_meta;
using testing::minimal_meta;
using testing::package_json;

// Parses a package whose meta is `meta`, expecting an error; returns its message.
std::string meta_error(const json& meta) {
  auto r = parse_package(package_json(fake_bpf_elf(), meta).dump());
  if (r) return "(parsed fine)";
  EXPECT_EQ(r.error().code, ExitCode::kBadPackage);
  return r.error().message;
}

// full_meta() with `patch` applied (RFC 6902).
json patched(const json& patch) {
  return full_meta().patch(patch);
}

TEST(PackageErrorsTest, ValidationErrorsNameThePath) {
  struct Case {
    json patch;
    std::string message;
  };
  const Case cases[] = {
      {{{{"op", "replace"}, {"path", "/bpf_skel/progs/1/attach"}, {"value", 7}}},
       "meta.bpf_skel.progs[1].attach: expected a string"},
      {{{{"op", "remove"}, {"path", "/bpf_skel/progs/0/name"}}},
       "meta.bpf_skel.progs[0].name: missing, expected a string"},
      {{{{"op", "replace"}, {"path", "/bpf_skel/progs/0/link"}, {"value", "yes"}}},
       "meta.bpf_skel.progs[0].link: expected true or false"},
      {{{{"op", "replace"}, {"path", "/bpf_skel/progs"}, {"value", {{"a", 1}}}}},
       "meta.bpf_skel.progs: expected an array"},
      {{{{"op", "replace"}, {"path", "/bpf_skel/progs/0"}, {"value", "x"}}},
       "meta.bpf_skel.progs[0]: expected an object"},
      {{{{"op", "remove"}, {"path", "/bpf_skel/obj_name"}}},
       "meta.bpf_skel.obj_name: missing, expected a string"},
      {{{{"op", "remove"}, {"path", "/bpf_skel"}}}, "meta.bpf_skel: missing, expected an object"},
      {{{{"op", "replace"}, {"path", "/bpf_skel"}, {"value", nullptr}}},
       "meta.bpf_skel: expected an object"},
      {{{{"op", "replace"}, {"path", "/bpf_skel/data_sections/0/name"}, {"value", 1}}},
       "meta.bpf_skel.data_sections[0].name: expected a string"},
      {{{{"op", "replace"}, {"path", "/bpf_skel/data_sections/0/variables"}, {"value", 1}}},
       "meta.bpf_skel.data_sections[0].variables: expected an array"},
      {{{{"op", "remove"}, {"path", "/bpf_skel/data_sections/0/variables/1/type"}}},
       "meta.bpf_skel.data_sections[0].variables[1].type: missing, expected a string"},
      {{{{"op", "replace"},
         {"path", "/bpf_skel/data_sections/0/variables/0/description"},
         {"value", {1}}}},
       "meta.bpf_skel.data_sections[0].variables[0].description: expected a string"},
      {{{{"op", "replace"},
         {"path", "/bpf_skel/data_sections/0/variables/0/cmdarg"},
         {"value", 5}}},
       "meta.bpf_skel.data_sections[0].variables[0].cmdarg: expected an object"},
      {{{{"op", "replace"},
         {"path", "/bpf_skel/data_sections/0/variables/0/cmdarg/short"},
         {"value", "mm"}}},
       "meta.bpf_skel.data_sections[0].variables[0].cmdarg.short: expected a single character, "
       "got \"mm\""},
      {{{{"op", "replace"},
         {"path", "/bpf_skel/data_sections/0/variables/0/cmdarg/long"},
         {"value", false}}},
       "meta.bpf_skel.data_sections[0].variables[0].cmdarg.long: expected a string"},
      {{{{"op", "replace"}, {"path", "/bpf_skel/maps/0/ident"}, {"value", 1}}},
       "meta.bpf_skel.maps[0].ident: expected a string"},
      {{{{"op", "replace"}, {"path", "/bpf_skel/maps/1/mmaped"}, {"value", 1}}},
       "meta.bpf_skel.maps[1].mmaped: expected true or false"},
      {{{{"op", "replace"}, {"path", "/bpf_skel/maps/0/sample/type"}, {"value", "histogram"}}},
       "meta.bpf_skel.maps[0].sample.type: expected one of log2_hist, linear_hist, default_kv, "
       "got \"histogram\""},
      {{{{"op", "replace"}, {"path", "/bpf_skel/maps/0/sample/interval"}, {"value", 0}}},
       "meta.bpf_skel.maps[0].sample.interval: expected a positive integer (milliseconds)"},
      {{{{"op", "replace"}, {"path", "/bpf_skel/maps/0/sample/interval"}, {"value", -5}}},
       "meta.bpf_skel.maps[0].sample.interval: expected a positive integer (milliseconds)"},
      {{{{"op", "replace"}, {"path", "/bpf_skel/maps/0/sample/interval"}, {"value", 1.5}}},
       "meta.bpf_skel.maps[0].sample.interval: expected a positive integer (milliseconds)"},
      {{{{"op", "replace"}, {"path", "/bpf_skel/maps/0/sample/clear_map"}, {"value", "no"}}},
       "meta.bpf_skel.maps[0].sample.clear_map: expected true or false"},
      {{{{"op", "replace"}, {"path", "/bpf_skel/maps/0/sample"}, {"value", {1}}}},
       "meta.bpf_skel.maps[0].sample: expected an object"},
      {{{{"op", "replace"}, {"path", "/bpf_skel/doc"}, {"value", "x"}}},
       "meta.bpf_skel.doc: expected an object"},
      {{{{"op", "replace"}, {"path", "/bpf_skel/doc/brief"}, {"value", {{"a", 1}}}}},
       "meta.bpf_skel.doc.brief: expected a string"},
      {{{{"op", "replace"}, {"path", "/export_types/0/type_id"}, {"value", -1}}},
       "meta.export_types[0].type_id: expected an unsigned 32-bit integer"},
      {{{{"op", "replace"}, {"path", "/export_types/0/size"}, {"value", 4294967296}}},
       "meta.export_types[0].size: expected an unsigned 32-bit integer"},
      {{{{"op", "remove"}, {"path", "/export_types/0/name"}}},
       "meta.export_types[0].name: missing, expected a string"},
      {{{{"op", "replace"}, {"path", "/export_types/0/members/1/name"}, {"value", nullptr}}},
       "meta.export_types[0].members[1].name: expected a string"},
      {{{{"op", "replace"}, {"path", "/export_types"}, {"value", "none"}}},
       "meta.export_types: expected an array"},
      {{{{"op", "replace"}, {"path", "/perf_buffer_pages"}, {"value", "64"}}},
       "meta.perf_buffer_pages: expected an unsigned 32-bit integer"},
      {{{{"op", "replace"}, {"path", "/poll_timeout_ms"}, {"value", 0.5}}},
       "meta.poll_timeout_ms: expected an unsigned 32-bit integer"},
      {{{{"op", "replace"}, {"path", "/print_header"}, {"value", 0}}},
       "meta.print_header: expected true or false"},
      {{{{"op", "replace"}, {"path", "/eunomia_version"}, {"value", 3}}},
       "meta.eunomia_version: expected a string"},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(meta_error(patched(c.patch)), c.message) << c.patch.dump();
  }
}

TEST(PackageErrorsTest, TopLevelErrors) {
  auto elf = fake_bpf_elf();
  auto error_of = [](const json& doc) {
    auto r = parse_package(doc.dump());
    return r ? std::string("(parsed fine)") : r.error().message;
  };
  json doc = package_json(elf, minimal_meta());
  json no_meta = doc;
  no_meta.erase("meta");
  EXPECT_EQ(error_of(no_meta), "meta: missing, expected an object");
  json bad_meta = doc;
  bad_meta["meta"] = {1, 2};
  EXPECT_EQ(error_of(bad_meta), "meta: expected an object");
  json no_object = doc;
  no_object.erase("bpf_object");
  EXPECT_EQ(error_of(no_object), "bpf_object: missing, expected a string");
  json no_size = doc;
  no_size.erase("bpf_object_size");
  EXPECT_EQ(error_of(no_size), "bpf_object_size: missing, expected an unsigned integer");
  json neg_size = doc;
  neg_size["bpf_object_size"] = -1;
  EXPECT_EQ(error_of(neg_size), "bpf_object_size: expected an unsigned integer");
  EXPECT_EQ(error_of(json::array()),
            "expected an object at the top level (bpf_object, bpf_object_size, meta)");
  EXPECT_EQ(parse_package("just a string").error().message,
            "expected an object at the top level (bpf_object, bpf_object_size, meta)");
}

TEST(PackageErrorsTest, BpfObjectErrors) {
  auto elf = fake_bpf_elf(10);
  json doc = package_json(elf, minimal_meta());
  auto error_of = [](const json& d) { return parse_package(d.dump()).error().message; };

  json mismatch = doc;
  mismatch["bpf_object_size"] = 100;
  EXPECT_EQ(error_of(mismatch),
            "bpf_object_size: 100 does not match bpf_object, which inflates to 74 bytes");

  json bad64 = doc;
  bad64["bpf_object"] = "eJz!";
  EXPECT_EQ(error_of(bad64), "bpf_object: invalid base64: unexpected character '!' at offset 3");

  auto packed = zlib_compress(elf);
  packed.resize(packed.size() - 6);
  json truncated = doc;
  truncated["bpf_object"] = base64_encode(packed);
  EXPECT_TRUE(error_of(truncated).starts_with("bpf_object: zlib data is truncated"))
      << error_of(truncated);

  json not_zlib = doc;
  not_zlib["bpf_object"] = base64_encode(elf);
  EXPECT_EQ(error_of(not_zlib),
            "bpf_object: holds a plain ELF object; it must be zlib-compressed, then base64");
  json not_compressed = doc;
  not_compressed["bpf_object"] = base64_encode(std::vector<uint8_t>(30, 'z'));
  EXPECT_EQ(error_of(not_compressed), "bpf_object: zlib data is corrupt: incorrect header check");

  std::vector<uint8_t> text(74, 'x');
  json not_elf = package_json(text, minimal_meta());
  EXPECT_EQ(error_of(not_elf), "bpf_object: not an ELF object (no \\x7fELF magic at the start)");

  json huge = doc;
  huge["bpf_object_size"] = 300u * 1024 * 1024;
  EXPECT_EQ(error_of(huge),
            "bpf_object_size: 314572800 bytes is over the limit of 268435456 bytes (256 MiB)");
}

TEST(PackageErrorsTest, OversizeTextRefused) {
  std::string text(kMaxPackageBytes + 1, ' ');
  auto r = parse_package(text);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ExitCode::kBadPackage);
  EXPECT_EQ(r.error().message, "package is 67108865 bytes, over the limit of 67108864 bytes");
}

TEST(PackageErrorsTest, TruncatedJsonNamesByte) {
  std::string text = package_json(fake_bpf_elf(), minimal_meta()).dump();
  text.resize(40);
  auto r = parse_package(text);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ExitCode::kBadPackage);
  EXPECT_TRUE(r.error().message.starts_with("truncated or invalid JSON at byte 41: "))
      << r.error().message;
  EXPECT_EQ(r.error().message.find("json.exception"), std::string::npos);
}

TEST(PackageErrorsTest, DeepJsonRefused) {
  std::string text = "{\"a\":" + std::string(1000, '[') + std::string(1000, ']') + "}";
  auto r = parse_package(text);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message, "JSON is nested deeper than 256 levels");
}

}  // namespace
}  // namespace lmp::package
