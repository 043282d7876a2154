#include "registry/oci_manifest.h"

#include <gtest/gtest.h>

namespace lmp::registry {
namespace {

const std::string kDigestA = "sha256:" + std::string(64, 'a');
const std::string kDigestB = "sha256:" + std::string(64, 'b');

std::string layer(const std::string& type, const std::string& digest, const std::string& title) {
  std::string s = R"({"mediaType":")" + type + R"(","digest":")" + digest + R"(","size":3)";
  if (!title.empty()) s += R"(,"annotations":{"org.opencontainers.image.title":")" + title + "\"}";
  return s + "}";
}

std::string manifest(const std::string& layers) {
  return R"({"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json",)"
         R"("config":{"mediaType":"application/vnd.lmp.config.v1+json","digest":")" +
         kDigestA + R"(","size":2},"layers":[)" + layers + "]}";
}

TEST(OciManifest, ParsesAnLmpImage) {
  auto m =
      parse_oci_manifest(manifest(layer(std::string(kLmpPackageType), kDigestA, "package.json") +
                                  "," + layer("text/markdown", kDigestB, "README.md")));
  ASSERT_TRUE(m) << m.error().message;
  EXPECT_EQ(m->media_type, kOciManifestType);
  ASSERT_EQ(m->layers.size(), 2u);
  EXPECT_EQ(m->layers[0].title(), "package.json");
  EXPECT_EQ(m->layers[1].sha256_hex(), std::string(64, 'b'));
  auto files = package_layers(*m);
  ASSERT_TRUE(files);
  ASSERT_EQ(files->size(), 2u);
  EXPECT_EQ((*files)[1].file_name, "README.md");
}

TEST(OciManifest, WriteThenParseRoundTrips) {
  OciManifest m;
  m.config = {std::string(kLmpConfigType), kDigestA, 2, {}};
  m.layers.push_back(
      {std::string(kWasmLayerType), kDigestB, 9, {{std::string(kTitleAnnotation), "app.wasm"}}});
  std::string text = write_oci_manifest(m);
  EXPECT_EQ(text, write_oci_manifest(m));
  auto back = parse_oci_manifest(text);
  ASSERT_TRUE(back);
  EXPECT_EQ(back->layers[0].size, 9u);
  EXPECT_EQ(back->layers[0].title(), "app.wasm");
  EXPECT_EQ(back->config.media_type, kLmpConfigType);
}

TEST(OciManifest, LoneWasmLayerIsAppWasm) {
  auto m =
      parse_oci_manifest(manifest(layer(std::string(kWasmLayerType), kDigestA, "module.wasm")));
  ASSERT_TRUE(m);
  auto files = package_layers(*m);
  ASSERT_TRUE(files);
  ASSERT_EQ(files->size(), 1u);
  EXPECT_EQ((*files)[0].file_name, "app.wasm");
}

TEST(OciManifest, UntitledLayersAreNamedByMediaType) {
  auto m = parse_oci_manifest(manifest(layer(std::string(kLmpPackageType), kDigestA, "") + "," +
                                       layer("application/octet-stream", kDigestB, "notes.txt")));
  ASSERT_TRUE(m);
  auto files = package_layers(*m);
  ASSERT_TRUE(files);
  ASSERT_EQ(files->size(), 1u);
  EXPECT_EQ((*files)[0].file_name, "package.json");
}

// lmp push adds lmp.sig as a layer of its own media type (docs/oci.md); a pull takes it by
// title or, untitled, by that type. Images without it (every image before) still pull.
TEST(OciManifest, SignatureLayerIsPartOfThePackage) {
  EXPECT_EQ(media_type_for_file("lmp.sig"), kLmpSignatureType);
  const std::string kDigestC = "sha256:" + std::string(64, 'c');
  for (const std::string& title : {std::string("lmp.sig"), std::string()}) {
    auto m =
        parse_oci_manifest(manifest(layer(std::string(kLmpPackageType), kDigestA, "package.json") +
                                    "," + layer(std::string(kLmpSignatureType), kDigestC, title)));
    ASSERT_TRUE(m) << m.error().message;
    auto files = package_layers(*m);
    ASSERT_TRUE(files) << files.error().message;
    ASSERT_EQ(files->size(), 2u) << title;
    EXPECT_EQ((*files)[1].file_name, "lmp.sig");
    EXPECT_EQ((*files)[1].descriptor.digest, kDigestC);
  }
  // A signature alone is no package, and two signatures are refused like two package.json.
  auto alone = parse_oci_manifest(manifest(layer(std::string(kLmpSignatureType), kDigestA, "")));
  ASSERT_TRUE(alone);
  EXPECT_FALSE(package_layers(*alone));
  auto two =
      parse_oci_manifest(manifest(layer(std::string(kLmpPackageType), kDigestA, "package.json") +
                                  "," + layer(std::string(kLmpSignatureType), kDigestB, "lmp.sig") +
                                  "," + layer(std::string(kLmpSignatureType), kDigestC, "")));
  ASSERT_TRUE(two);
  EXPECT_FALSE(package_layers(*two));
}

TEST(OciManifest, RefusesImagesWithoutAPackage) {
  auto m = parse_oci_manifest(manifest(layer("text/markdown", kDigestA, "README.md")));
  ASSERT_TRUE(m);
  EXPECT_FALSE(package_layers(*m));
  auto dup = parse_oci_manifest(
      manifest(layer(std::string(kLmpPackageType), kDigestA, "package.json") + "," +
               layer(std::string(kLmpPackageType), kDigestB, "package.json")));
  ASSERT_TRUE(dup);
  EXPECT_FALSE(package_layers(*dup));
}

TEST(OciManifest, RefusesMalformedInput) {
  for (
      std::string bad : {
          std::string("not json"),
          std::string("[]"),
          std::string(R"({"schemaVersion":1,"config":{},"layers":[]})"),
          std::string(R"({"schemaVersion":"2","layers":[]})"),
          manifest(R"({"mediaType":"x","digest":"sha256:abc","size":1})"),
          manifest(R"({"mediaType":"x","digest":")" + kDigestA + R"(","size":-1})"),
          manifest(R"({"mediaType":7,"digest":")" + kDigestA + R"(","size":1})"),
          manifest(R"({"mediaType":"x","digest":")" + kDigestA +
                   R"(","size":1,"annotations":{"a":1}})"),
          manifest(R"("layer")"),
          std::string(
              R"({"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[]})"),
          std::string(
              R"({"schemaVersion":2,"mediaType":"application/x-other","config":{},"layers":[]})"),
      }) {
    auto m = parse_oci_manifest(bad);
    EXPECT_FALSE(m) << bad;
    if (!m) {
      EXPECT_EQ(m.error().code, ExitCode::kBadPackage) << bad;
    }
  }
  EXPECT_FALSE(parse_oci_manifest(std::string(kMaxManifestBytes + 1, ' ')));
  std::string many;
  for (std::size_t i = 0; i <= kMaxManifestLayers; ++i)
    many += (i ? "," : "") + layer("x", kDigestA, "");
  EXPECT_FALSE(parse_oci_manifest(manifest(many)));
}

TEST(OciManifest, DockerManifestTypeComesFromContentType) {
  std::string text = R"({"schemaVersion":2,"config":{"mediaType":"x","digest":")" + kDigestA +
                     R"(","size":1},"layers":[]})";
  auto m = parse_oci_manifest(text, kDockerManifestType);
  ASSERT_TRUE(m);
  EXPECT_EQ(m->media_type, kDockerManifestType);
}

}  // namespace
}  // namespace lmp::registry
