#include "registry/oci_client.h"

#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <functional>
#include <vector>

#include <gtest/gtest.h>

#include "registry/credentials.h"
#include "registry/digest.h"
#include "registry/fake_transport_for_test.h"

namespace lmp::registry {
namespace {

namespace fs = std::filesystem;

using fake::answer;
using fake::FakeTransport;

TEST(OciClient, PlainHttpOnlyForLocalRegistries) {
  EXPECT_EQ(registry_base_url("localhost:5000"), "http://localhost:5000");
  EXPECT_EQ(registry_base_url("127.0.0.1:5000"), "http://127.0.0.1:5000");
  EXPECT_EQ(registry_base_url("ghcr.io"), "https://ghcr.io");
  EXPECT_EQ(registry_base_url("docker.io"), "https://registry-1.docker.io");
  ::setenv("LMP_INSECURE_REGISTRIES", "reg.lan:5000, other:1", 1);
  EXPECT_EQ(registry_base_url("reg.lan:5000"), "http://reg.lan:5000");
  EXPECT_EQ(registry_base_url("reg.lan"), "https://reg.lan");
  ::unsetenv("LMP_INSECURE_REGISTRIES");
}

TEST(OciClient, BearerTokenFlow) {
  FakeTransport t;
  std::string manifest = "{}";
  t.handler = [&](const HttpRequest& r) {
    if (r.url.starts_with("https://auth.example/token")) {
      EXPECT_EQ(r.headers.at("Authorization"), basic_authorization({"u", "p"}));
      return answer(200, R"({"token":"T1"})");
    }
    auto auth = r.headers.find("Authorization");
    if (auth == r.headers.end() || auth->second != "Bearer T1")
      return answer(
          401, "",
          {{"www-authenticate", R"(Bearer realm="https://auth.example/token",service="reg")"}});
    return answer(200, manifest);
  };
  OciClient client(t, "reg.example", Credentials{"u", "p"});
  auto got = client.fetch_manifest("org/tool", "1.0.0");
  ASSERT_TRUE(got) << got.error().message;
  EXPECT_EQ(got->digest, "sha256:" + sha256_hex(manifest));
  ASSERT_EQ(t.seen.size(), 3u);
  EXPECT_EQ(t.seen[1].url,
            "https://auth.example/token?service=reg&scope=repository%3Aorg%2Ftool%3Apull");
  // The token is reused for the same scope.
  ASSERT_TRUE(client.fetch_manifest("org/tool", "1.0.0"));
  EXPECT_EQ(t.seen.size(), 4u);
}

TEST(OciClient, WrongPasswordIsAPermissionError) {
  FakeTransport t;
  t.handler = [&](const HttpRequest& r) {
    if (r.url.starts_with("https://auth.example/token")) return answer(401);
    return answer(401, "", {{"www-authenticate", R"(Bearer realm="https://auth.example/token")"}});
  };
  OciClient client(t, "reg.example", Credentials{"u", "wrong"});
  auto got = client.check_login();
  ASSERT_FALSE(got);
  EXPECT_EQ(got.error().code, ExitCode::kPermission);
  EXPECT_NE(got.error().message.find("rejected"), std::string::npos);
}

TEST(OciClient, BasicAuthWithoutCredentialsAsksForLogin) {
  FakeTransport t;
  t.handler = [](const HttpRequest&) {
    return answer(401, "", {{"www-authenticate", R"(Basic realm="r")"}});
  };
  OciClient client(t, "localhost:5000");
  auto got = client.fetch_manifest("a", "latest");
  ASSERT_FALSE(got);
  EXPECT_EQ(got.error().code, ExitCode::kPermission);
  EXPECT_NE(got.error().hint.find("lmp login localhost:5000"), std::string::npos);
}

TEST(OciClient, NotFoundAndDigestMismatch) {
  FakeTransport t;
  t.handler = [](const HttpRequest& r) {
    if (r.url.ends_with("/missing"))
      return answer(404, R"({"errors":[{"code":"MANIFEST_UNKNOWN"}]})");
    return answer(200, "{}", {{"docker-content-digest", "sha256:" + std::string(64, '0')}});
  };
  OciClient client(t, "localhost:5000");
  auto missing = client.fetch_manifest("a", "missing");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, ExitCode::kNotFound);
  EXPECT_NE(missing.error().message.find("localhost:5000/a:missing: not found"), std::string::npos);
  EXPECT_FALSE(client.fetch_manifest("a", "1.0.0"));
}

TEST(OciClient, ChunkedUpload) {
  FakeTransport t;
  std::string received;
  t.handler = [&](const HttpRequest& r) {
    if (r.method == "HEAD") return answer(404);
    if (r.method == "POST") return answer(202, "", {{"location", "/v2/a/blobs/uploads/u1?s=0"}});
    if (r.method == "PATCH") {
      received += r.body;
      return answer(202, "",
                    {{"location", "/v2/a/blobs/uploads/u1?s=" + std::to_string(received.size())}});
    }
    received += r.body;
    return answer(201);
  };
  OciClient client(t, "localhost:5000");
  client.set_chunk_size(4);
  std::string content = "0123456789";
  ASSERT_TRUE(client.push_blob("a", "sha256:" + sha256_hex(content), content));
  EXPECT_EQ(received, content);
  ASSERT_EQ(t.seen.size(), 6u);  // HEAD, POST, 3 PATCH, PUT
  EXPECT_EQ(t.seen[2].headers.at("Content-Range"), "0-3");
  EXPECT_EQ(t.seen[4].headers.at("Content-Range"), "8-9");
  EXPECT_EQ(t.seen[5].url, "http://localhost:5000/v2/a/blobs/uploads/u1?s=10&digest=sha256%3A" +
                               sha256_hex(content));
  EXPECT_TRUE(t.seen[5].body.empty());
}

// An upload Location on another host or port (blob storage, or a hostile registry) gets no
// credentials and no token; an https registry never sends lmp to plain http.
TEST(OciClient, CredentialsStayWithTheirOrigin) {
  FakeTransport t;
  std::string location;
  t.handler = [&](const HttpRequest& r) {
    bool own = r.url.starts_with("https://reg.example/");
    if (own && !r.headers.contains("Authorization"))
      return answer(401, "", {{"www-authenticate", R"(Basic realm="r")"}});
    if (r.method == "HEAD") return answer(404);
    if (r.method == "POST") return answer(202, "", {{"location", location}});
    return answer(201);
  };
  OciClient client(t, "reg.example", Credentials{"u", "p"});
  std::string content = "blob";
  std::string digest = "sha256:" + sha256_hex(content);
  for (std::string other : {"https://reg.example:8443/up/1", "https://storage.example/up/1",
                            "https://u:p@reg.example.evil/up"}) {
    location = other;
    t.seen.clear();
    ASSERT_TRUE(client.push_blob("a", digest, content)) << other;
    ASSERT_TRUE(t.seen.back().url.starts_with(other)) << t.seen.back().url;
    EXPECT_FALSE(t.seen.back().headers.contains("Authorization")) << other;
  }
  location = "/v2/a/blobs/uploads/same";  // the registry's own origin: credentials go along
  ASSERT_TRUE(client.push_blob("a", digest, content));
  EXPECT_TRUE(t.seen.back().headers.contains("Authorization"));

  location = "http://reg.example/v2/a/blobs/uploads/1";
  t.seen.clear();
  auto downgraded = client.push_blob("a", digest, content);
  ASSERT_FALSE(downgraded);
  EXPECT_NE(downgraded.error().message.find("from https to plain http"), std::string::npos)
      << downgraded.error().message;
  for (const auto& r : t.seen) EXPECT_FALSE(r.url.starts_with("http://"));
}

// A token service on plain http never receives the password of an https registry.
TEST(OciClient, NoPasswordToAPlainHttpRealm) {
  FakeTransport t;
  t.handler = [](const HttpRequest&) {
    return answer(401, "", {{"www-authenticate", R"(Bearer realm="http://auth.example/token")"}});
  };
  OciClient client(t, "reg.example", Credentials{"u", "p"});
  EXPECT_FALSE(client.check_login());
  for (const auto& r : t.seen) EXPECT_FALSE(r.url.starts_with("http://auth.example"));
}

// A registry's error text reaches the terminal escaped; a badly typed one does not throw.
TEST(OciClient, RegistryErrorTextIsEscaped) {
  FakeTransport t;
  t.handler = [](const HttpRequest& r) {
    if (r.url.ends_with("/typed")) return answer(500, R"({"errors":[{"code":7,"message":[1]}]})");
    return answer(404, "{\"errors\":[{\"code\":\"X\\u001b]0;pwn\\u0007\"}]}");
  };
  OciClient client(t, "localhost:5000");
  auto got = client.fetch_manifest("a", "1.0.0");
  ASSERT_FALSE(got);
  EXPECT_EQ(got.error().hint.find('\x1b'), std::string::npos) << got.error().hint;
  EXPECT_NE(got.error().hint.find("X\\x1b]0;pwn\\x07"), std::string::npos) << got.error().hint;
  EXPECT_FALSE(client.fetch_manifest("a", "typed"));
}

// A blob is read up to the size its descriptor gives, and a descriptor may not give more
// than LMP_MAX_DOWNLOAD_BYTES.
TEST(OciClient, BlobDownloadsAreLimitedToTheirDescriptor) {
  FakeTransport t;
  t.handler = [](const HttpRequest& r) {
    HttpResponse res = answer(200);
    res.file = {r.max_body_bytes, std::string(64, '0')};
    return res;
  };
  OciClient client(t, "localhost:5000");
  OciDescriptor blob;
  blob.digest = "sha256:" + std::string(64, '0');
  blob.size = 1234;
  ASSERT_TRUE(client.fetch_blob("a", blob, "/dev/null"));
  EXPECT_EQ(t.seen.back().max_body_bytes, 1234u);
  blob.size = 1000000000000000ull;
  auto huge = client.fetch_blob("a", blob, "/dev/null");
  ASSERT_FALSE(huge);
  EXPECT_EQ(huge.error().code, ExitCode::kBadPackage);
  EXPECT_EQ(t.seen.size(), 1u);  // refused before asking
}

TEST(Credentials, StoreFindEraseAndDockerFallback) {
  char tmpl[] = "/tmp/lmp-cred-XXXXXX";
  fs::path dir = ::mkdtemp(tmpl);
  ::setenv("DOCKER_CONFIG", (dir / "docker").c_str(), 1);
  auto none = find_credentials(dir, "reg.example");
  ASSERT_TRUE(none);
  EXPECT_FALSE(*none);

  ASSERT_TRUE(store_credentials(dir, "reg.example", {"u", "p"}));
  struct stat st {};
  ASSERT_EQ(::stat(credentials_path(dir).c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  auto found = find_credentials(dir, "reg.example");
  ASSERT_TRUE(found && *found);
  EXPECT_EQ((*found)->credentials, (Credentials{"u", "p"}));
  EXPECT_EQ((*found)->source, CredentialSource::kLmp);
  EXPECT_EQ(erase_credentials(dir, "reg.example"), true);
  EXPECT_EQ(erase_credentials(dir, "reg.example"), false);

  fs::create_directories(dir / "docker");
  std::ofstream(dir / "docker/config.json")
      << R"({"auths":{"https://index.docker.io/v1/":{"auth":")" + base64_encode("d:hub") +
             R"("},"https://reg.example":{"auth":")" + base64_encode("x:y") + "\"}}}";
  auto hub = find_credentials(dir, "docker.io");
  ASSERT_TRUE(hub && *hub);
  EXPECT_EQ((*hub)->credentials, (Credentials{"d", "hub"}));
  auto reg = find_credentials(dir, "reg.example");
  ASSERT_TRUE(reg && *reg);
  EXPECT_EQ((*reg)->credentials, (Credentials{"x", "y"}));
  EXPECT_EQ((*reg)->source, CredentialSource::kDockerConfig);
  ::unsetenv("DOCKER_CONFIG");
  fs::remove_all(dir);
}

}  // namespace
}  // namespace lmp::registry
