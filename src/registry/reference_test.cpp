#include "registry/reference.h"

#include <gtest/gtest.h>

namespace lmp::registry {
namespace {

bool nothing_exists(const std::filesystem::path&) {
  return false;
}

Reference parse_ref_text(std::string_view text, const PathExists& exists = nothing_exists) {
  auto r = parse_reference(text, exists);
  EXPECT_TRUE(r.has_value()) << text << ": " << (r ? "" : r.error().message);
  return r ? *r : Reference{};
}

TEST(Reference, Names) {
  Reference r = parse_ref_text("opensnoop");
  EXPECT_EQ(r.kind, ReferenceKind::kName);
  EXPECT_EQ(r.name, "opensnoop");
  EXPECT_EQ(r.version, "");
  r = parse_ref_text("sig-snoop.v2:1.0.0-rc.1+build.5");
  EXPECT_EQ(r.name, "sig-snoop.v2");
  EXPECT_EQ(r.version, "1.0.0-rc.1+build.5");
  r = parse_ref_text("opensnoop:latest");
  EXPECT_EQ(r.version, "");
  for (const char* tag : {"2.0", "v1", "1", "v1.2.3", "beta_1", "RC-2"})
    EXPECT_EQ(parse_ref_text(std::string("opensnoop:") + tag).version, tag);
  EXPECT_EQ(to_string(parse_ref_text("a_b:2.0.0")), "a_b:2.0.0");
}

TEST(Reference, BadNamesAndVersions) {
  for (const char* bad :
       {"", "Open", "-x", "a:.1", "a:-v", "a:", "a:1.0.0:2", "a b", ":1.0.0", "a:x/y"})
    EXPECT_FALSE(parse_reference(bad, nothing_exists).has_value()) << bad;
  EXPECT_EQ(parse_reference("a:.1", nothing_exists).error().code, ExitCode::kUsage);
}

TEST(Reference, Urls) {
  Reference r = parse_ref_text("https://example.com/x/package.json");
  EXPECT_EQ(r.kind, ReferenceKind::kUrl);
  EXPECT_EQ(r.url, "https://example.com/x/package.json");
  EXPECT_EQ(parse_ref_text("file:///tmp/x.json").kind, ReferenceKind::kUrl);
  EXPECT_FALSE(parse_reference("http://", nothing_exists).has_value());
  EXPECT_FALSE(parse_reference("ftp://host/x", nothing_exists).has_value());
}

TEST(Reference, LocalPaths) {
  for (const char* p : {"./foo", "../foo", "/abs/pkg", ".", "package.json", "x.yaml", "app.wasm",
                        "prog.bpf.o", "dir/sub/thing", "opensnoop/"})
    EXPECT_EQ(parse_ref_text(p).kind, ReferenceKind::kLocalPath) << p;
  EXPECT_EQ(parse_ref_text("./foo").path, std::filesystem::path("./foo"));
}

TEST(Reference, BareNameIsANameEvenWhenAPathExists) {
  auto exists = [](const std::filesystem::path& p) {
    return p == "opensnoop" || p == "ghcr.io/org/tool";
  };
  EXPECT_EQ(parse_ref_text("opensnoop", exists).kind, ReferenceKind::kName);
  EXPECT_EQ(parse_ref_text("opensnoop:1.0.0", exists).kind, ReferenceKind::kName);
  EXPECT_EQ(parse_ref_text("ghcr.io/org/tool", exists).kind, ReferenceKind::kOci);
  EXPECT_EQ(parse_ref_text("./opensnoop", exists).kind, ReferenceKind::kLocalPath);
  EXPECT_EQ(parse_ref_text("execsnoop", exists).kind, ReferenceKind::kName);
}

TEST(Reference, Oci) {
  Reference r = parse_ref_text("ghcr.io/org/tools/opensnoop:1.0.0");
  EXPECT_EQ(r.kind, ReferenceKind::kOci);
  EXPECT_EQ(r.oci.registry, "ghcr.io");
  EXPECT_EQ(r.oci.repository, "org/tools/opensnoop");
  EXPECT_EQ(r.oci.tag, "1.0.0");
  EXPECT_EQ(r.name, "opensnoop");
  r = parse_ref_text("localhost:5000/opensnoop");
  EXPECT_EQ(r.oci.registry, "localhost:5000");
  EXPECT_EQ(r.oci.tag, "latest");
  for (const char* tag : {"latest", "2.0", "v1", "Beta_3"})
    EXPECT_EQ(parse_ref_text(std::string("localhost:5000/x:") + tag).oci.tag, tag);
  r = parse_ref_text("localhost/a/b");
  EXPECT_EQ(r.oci.registry, "localhost");
  std::string digest = "sha256:" + std::string(64, 'a');
  r = parse_ref_text("reg.io:443/x@" + digest);
  EXPECT_EQ(r.oci.digest, digest);
  EXPECT_EQ(r.oci.tag, "");
  EXPECT_EQ(to_string(r), "reg.io:443/x@" + digest);
  for (const char* bad : {"ghcr.io/", "ghcr.io/Org/x", "ghcr.io/x:", "ghcr.io/x@sha256:12",
                          "host:99999999/x", "ghcr.io//x"})
    EXPECT_FALSE(parse_reference(bad, nothing_exists).has_value()) << bad;
}

TEST(Reference, NamesThatLookLikeFilesPrintBackAsNames) {
  // Found by reference_fuzz: f.bpf.o:latest is the name f.bpf.o; printed bare it is a path.
  auto none = [](const std::filesystem::path&) { return false; };
  for (const char* text : {"f.bpf.o:latest", "x.json:latest", "tool.wasm:latest"}) {
    auto ref = parse_reference(text, none);
    ASSERT_TRUE(ref) << text;
    EXPECT_EQ(ref->kind, ReferenceKind::kName) << text;
    auto again = parse_reference(to_string(*ref), none);
    ASSERT_TRUE(again) << to_string(*ref);
    EXPECT_EQ(again->kind, ReferenceKind::kName) << to_string(*ref);
  }
}

}  // namespace
}  // namespace lmp::registry
