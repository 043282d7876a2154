#include "registry/puller.h"

#include <unistd.h>

#include <fstream>
#include <map>
#include <set>

#include <gtest/gtest.h>

#include "common/file.h"
#include "package/test_objects.h"
#include "registry/digest.h"
#include "registry/signature_test_util.h"

namespace lmp::registry {
namespace {

namespace fs = std::filesystem;

// Serves canned bodies; URLs in `broken` write half the body and fail like a dropped
// connection.
class FakeHttp : public HttpClient {
 public:
  std::map<std::string, std::string> bodies;
  std::set<std::string> broken;
  // max_bytes of each fetch_to_file, shared by the copies make() hands to pullers.
  std::shared_ptr<std::vector<std::uint64_t>> limits =
      std::make_shared<std::vector<std::uint64_t>>();
  int requests = 0;

  Result<std::string> fetch(const std::string& url, std::size_t) override {
    ++requests;
    auto it = bodies.find(url);
    if (it == bodies.end()) return fail(ExitCode::kNotFound, "GET " + url + ": HTTP 404 Not Found");
    return it->second;
  }
  Result<Download> fetch_to_file(const std::string& url, const fs::path& dest, std::string_view,
                                 std::uint64_t max_bytes) override {
    std::string body = LMP_TRY(fetch(url, 0));
    limits->push_back(max_bytes);
    std::ofstream out(dest, std::ios::binary);
    if (body.size() > max_bytes) {
      out << body.substr(0, max_bytes);
      return fail(ExitCode::kNetwork, "GET " + url + ": more than the limit");
    }
    if (broken.contains(url)) {
      out << body.substr(0, body.size() / 2);
      return fail(ExitCode::kNetwork, "GET " + url + ": connection closed");
    }
    out << body;
    return Download{body.size(), sha256_hex(body)};
  }
};

class PullerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    home_ = fs::temp_directory_path() /
            ("lmp-puller-test-" + std::to_string(::getpid()) + "-" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(home_);
  }
  void TearDown() override { fs::remove_all(home_); }

  // Publishes NAME:VERSION with one package.json into the fake repository.
  void publish(const std::string& name, const std::string& version, const std::string& body) {
    VersionEntry& v = index_.packages[name].versions[version];
    index_.packages[name].name = name;
    v.version = version;
    v.files = {{"package.json", sha256_hex(body), body.size()}};
    http_->bodies[kRepo + "/" + name + "/" + version + "/package.json"] = body;
    http_->bodies[kRepo + "/index.json"] = write_index(index_);
  }

  Puller make() {
    auto http = std::make_unique<FakeHttp>(*http_);
    return Puller(*Cache::open(home_), std::move(http), {kRepo + "/"});
  }

  std::size_t count(const fs::path& dir) {
    std::error_code ec;
    return static_cast<std::size_t>(
        std::distance(fs::directory_iterator(home_ / dir, ec), fs::directory_iterator()));
  }

  const std::string kRepo = "http://repo.test";
  fs::path home_;
  Index index_;
  std::unique_ptr<FakeHttp> http_ = std::make_unique<FakeHttp>();
};

Reference ref(const std::string& text) {
  return *parse_reference(text, [](const fs::path&) { return false; });
}

// A package.json that parses.
std::string valid_package() {
  return package::testing::package_json(package::testing::fake_bpf_elf(),
                                        package::testing::minimal_meta())
      .dump();
}

TEST_F(PullerTest, NameResolvesToHighestVersion) {
  publish("tool", "1.2.0", "one-two");
  publish("tool", "1.10.0", "one-ten");
  publish("tool", "2.0.0-rc.1", "two-rc");
  Puller puller = make();
  auto pulled = puller.pull(ref("tool"));
  ASSERT_TRUE(pulled) << pulled.error().message;
  EXPECT_EQ(pulled->version, "1.10.0");
  EXPECT_EQ(*read_file(pulled->main_file()), "one-ten");
  auto exact = puller.pull(ref("tool:1.2.0"));
  ASSERT_TRUE(exact);
  EXPECT_EQ(exact->version, "1.2.0");
  auto missing = puller.pull(ref("tool:3.0.0"));
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, ExitCode::kNotFound);
  EXPECT_NE(missing.error().hint.find("1.10.0"), std::string::npos);
  EXPECT_EQ(puller.cache().list()->size(), 2u);
}

TEST_F(PullerTest, DigestMismatchCachesNothing) {
  publish("tool", "1.0.0", "good");
  http_->bodies[kRepo + "/tool/1.0.0/package.json"] = "evil";
  Puller puller = make();
  auto pulled = puller.pull(ref("tool"));
  ASSERT_FALSE(pulled);
  EXPECT_NE(pulled.error().message.find("sha256 mismatch"), std::string::npos);
  EXPECT_EQ(count("blobs/sha256"), 0u);
  EXPECT_EQ(count("packages"), 0u);
  EXPECT_EQ(count("tmp"), 0u);
  EXPECT_TRUE(puller.cache().list()->empty());
}

// A listed lmp.sig is cached with the package (and verifies there); one that is not a
// signature fails the pull and caches nothing.
TEST_F(PullerTest, SignatureIsCachedWithThePackage) {
  std::string package = R"({"v": 1})";
  std::string config = R"({"name": "tool", "version": "1.0.0"})";
  KeyPair key = *generate_key("k");
  std::string signature =
      testing::signature_for({{"package.json", package}, {"config.json", config}}, key);
  ASSERT_FALSE(signature.empty());
  auto publish_signed = [&](const std::string& sig) {
    VersionEntry& v = index_.packages["tool"].versions["1.0.0"];
    index_.packages["tool"].name = "tool";
    v.version = "1.0.0";
    v.files.clear();
    for (const auto& [name, body] :
         {std::pair{"config.json", config}, {"lmp.sig", sig}, {"package.json", package}}) {
      v.files.push_back({name, sha256_hex(body), body.size()});
      http_->bodies[kRepo + "/tool/1.0.0/" + name] = body;
    }
    http_->bodies[kRepo + "/index.json"] = write_index(index_);
  };

  publish_signed(signature.substr(0, 100));
  Puller broken = make();
  auto refused = broken.pull(ref("tool"));
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ExitCode::kBadPackage);
  EXPECT_EQ(refused.error().message, kRepo +
                                         "/tool/1.0.0/lmp.sig: lmp.sig is not a package "
                                         "signature (truncated or not JSON)");
  EXPECT_EQ(count("blobs/sha256"), 0u);
  EXPECT_EQ(count("packages"), 0u);
  EXPECT_TRUE(broken.cache().list()->empty());

  publish_signed(signature);
  Puller puller = make();
  auto pulled = puller.pull(ref("tool"));
  ASSERT_TRUE(pulled) << pulled.error().message;
  EXPECT_EQ(*read_file(pulled->dir / "lmp.sig"), signature);
  EXPECT_TRUE(puller.cache().verify(*pulled));
  auto verified = verify_package(pulled->dir);
  ASSERT_TRUE(verified) << verified.error().message;
  ASSERT_TRUE(*verified);
  EXPECT_EQ((*verified)->fingerprint, key_fingerprint(key.public_key));
  ASSERT_TRUE(puller.cache().remove("tool", ""));
  EXPECT_EQ(count("blobs/sha256"), 0u);
}

TEST_F(PullerTest, DroppedConnectionCachesNothing) {
  publish("tool", "1.0.0", "some bytes");
  http_->broken.insert(kRepo + "/tool/1.0.0/package.json");
  Puller puller = make();
  ASSERT_FALSE(puller.pull(ref("tool")));
  EXPECT_EQ(count("blobs/sha256"), 0u);
  EXPECT_EQ(count("tmp"), 0u);
}

TEST_F(PullerTest, LegacyProbeWithoutIndex) {
  http_->bodies[kRepo + "/old/package.json"] = valid_package();
  Puller puller = make();
  auto pulled = puller.pull(ref("old"));
  ASSERT_TRUE(pulled) << pulled.error().message;
  EXPECT_EQ(pulled->version, "");
  EXPECT_EQ(pulled->main_file().filename(), "package.json");
  auto none = puller.pull(ref("nothing"));
  ASSERT_FALSE(none);
  EXPECT_EQ(none.error().code, ExitCode::kNotFound);
}

TEST_F(PullerTest, PolicyMissingUsesCacheAndNeverDoesNotPull) {
  publish("tool", "1.0.0", "v1");
  Puller puller = make();
  EXPECT_FALSE(puller.resolve_to_local(ref("tool"), PullPolicy::kNever));
  auto first = puller.resolve_to_local(ref("tool"), PullPolicy::kMissing);
  ASSERT_TRUE(first) << first.error().message;
  http_->bodies.clear();  // offline from here on
  Puller offline = make();
  auto again = offline.resolve_to_local(ref("tool"), PullPolicy::kMissing);
  ASSERT_TRUE(again);
  EXPECT_EQ(*again, *first);
  EXPECT_TRUE(offline.resolve_to_local(ref("tool"), PullPolicy::kNever));
  EXPECT_FALSE(offline.resolve_to_local(ref("tool"), PullPolicy::kAlways));
}

TEST_F(PullerTest, RemoveCollectsBlobs) {
  publish("tool", "1.0.0", "v1");
  publish("tool", "2.0.0", "v2");
  Puller puller = make();
  ASSERT_TRUE(puller.pull(ref("tool:1.0.0")));
  ASSERT_TRUE(puller.pull(ref("tool:2.0.0")));
  EXPECT_EQ(count("blobs/sha256"), 2u);
  auto removed = puller.cache().remove("tool", "1.0.0");
  ASSERT_TRUE(removed);
  EXPECT_EQ(removed->size(), 1u);
  EXPECT_EQ(count("blobs/sha256"), 1u);
  EXPECT_EQ((*puller.cache().find("tool", ""))->version, "2.0.0");
  EXPECT_EQ(puller.cache().remove("tool", "")->size(), 1u);
  EXPECT_EQ(count("blobs/sha256"), 0u);
  EXPECT_EQ(count("packages"), 0u);
}

TEST_F(PullerTest, StaleTempFilesOfDeadProcessesAreRemoved) {
  fs::create_directories(home_ / "tmp");
  std::ofstream(home_ / "tmp/dl-999999999-abc") << "partial";
  std::ofstream(home_ / ("tmp/dl-" + std::to_string(::getpid()) + "-mine")) << "in progress";
  ASSERT_TRUE(Cache::open(home_));
  EXPECT_FALSE(fs::exists(home_ / "tmp/dl-999999999-abc"));
  EXPECT_TRUE(fs::exists(home_ / ("tmp/dl-" + std::to_string(::getpid()) + "-mine")));
}

// A blob that was cached when a download began and was removed before it finished (a
// concurrent `lmp rm`) is a clear error, not a half-made package.
TEST_F(PullerTest, CommitRefusesABlobRemovedMeanwhile) {
  auto cache = Cache::open(home_);
  ASSERT_TRUE(cache);
  auto temp = cache->temp_file();
  ASSERT_TRUE(temp);
  std::ofstream(temp->path()) << "fresh";
  Cache::Fetched fetched;
  fetched.emplace_back(std::move(*temp), FileEntry{"package.json", sha256_hex("fresh"), 5});
  fetched.emplace_back(TempFile({}), FileEntry{"README.md", sha256_hex("gone"), 4});
  CachedPackage entry;
  entry.name = "demo";
  entry.version = "1.0.0";
  auto committed = cache->commit(entry, fetched);
  ASSERT_FALSE(committed);
  EXPECT_NE(committed.error().message.find("README.md was removed during the download"),
            std::string::npos)
      << committed.error().message;
  EXPECT_FALSE(cache->find("demo", "1.0.0").value());

  fetched.pop_back();  // without the vanished file the package is recorded
  ASSERT_TRUE(cache->commit(entry, fetched));
  EXPECT_TRUE(cache->find("demo", "1.0.0").value());
}

TEST_F(PullerTest, UrlPull) {
  http_->bodies["https://h.test/tools/mytool/package.json"] = valid_package();
  Puller puller = make();
  auto pulled = puller.pull(ref("https://h.test/tools/mytool/package.json"));
  ASSERT_TRUE(pulled) << pulled.error().message;
  EXPECT_EQ(pulled->name, "mytool");
  EXPECT_TRUE(pulled->from_url);
  auto found = puller.cache().find_url("https://h.test/tools/mytool/package.json");
  ASSERT_TRUE(found && *found);
}

// What nobody vouches for by digest must be what lmp runs: an HTML page or a directory
// listing fetched by URL (or from a legacy repository) is refused and nothing is cached.
TEST_F(PullerTest, UrlPullRefusesWhatIsNotAPackage) {
  http_->bodies["https://h.test/x/package.json"] = "<!DOCTYPE html><html><body>hi</body></html>";
  http_->bodies["https://h.test/x/app.wasm"] = "<html>not wasm</html>";
  http_->bodies["https://h.test/y/app.wasm"] = std::string("\0asm\x01\0\0\0", 8);
  http_->bodies[kRepo + "/old/package.json"] = "Index of /old";
  Puller puller = make();
  for (const char* url : {"https://h.test/x/package.json", "https://h.test/x/app.wasm", "old"}) {
    auto pulled = puller.pull(ref(url));
    ASSERT_FALSE(pulled) << url;
    EXPECT_EQ(pulled.error().code, ExitCode::kBadPackage) << pulled.error().message;
  }
  EXPECT_EQ(count("blobs/sha256"), 0u);
  EXPECT_TRUE(puller.cache().list()->empty());
  EXPECT_TRUE(puller.pull(ref("https://h.test/y/app.wasm")));
}

// Indexed files may not grow past the size the index lists; unindexed ones stop at the
// documented maximum (LMP_MAX_DOWNLOAD_BYTES), and an index may not declare more than it.
TEST_F(PullerTest, DownloadsAreLimited) {
  publish("tool", "1.0.0", "0123456789");
  http_->bodies["https://h.test/u/package.json"] = valid_package();
  Puller puller = make();
  ASSERT_TRUE(puller.pull(ref("tool")));
  ASSERT_TRUE(puller.pull(ref("https://h.test/u/package.json")));
  ASSERT_EQ(http_->limits->size(), 2u);
  EXPECT_EQ((*http_->limits)[0], 10u);
  EXPECT_EQ((*http_->limits)[1], kDefaultMaxDownloadBytes);

  ::setenv("LMP_MAX_DOWNLOAD_BYTES", "5", 1);
  publish("tool", "2.0.0", "0123456789");
  auto big = make().pull(ref("tool:2.0.0"));
  ::unsetenv("LMP_MAX_DOWNLOAD_BYTES");
  ASSERT_FALSE(big);
  EXPECT_EQ(big.error().code, ExitCode::kBadPackage);
  EXPECT_NE(big.error().message.find("more than the limit of 5"), std::string::npos)
      << big.error().message;
}

// A blob already cached under a digest does not let an index claim another size for it.
TEST_F(PullerTest, CachedBlobDoesNotVouchForADeclaredSize) {
  publish("tool", "1.0.0", "same bytes");
  Puller puller = make();
  ASSERT_TRUE(puller.pull(ref("tool")));
  index_.packages["liar"].name = "liar";
  VersionEntry& v = index_.packages["liar"].versions["1.0.0"];
  v.version = "1.0.0";
  v.files = {{"package.json", sha256_hex("same bytes"), 12345}};
  http_->bodies[kRepo + "/index.json"] = write_index(index_);
  auto lied = make().pull(ref("liar"));
  ASSERT_FALSE(lied);
  EXPECT_NE(lied.error().message.find("that content has 10 bytes"), std::string::npos)
      << lied.error().message;
  EXPECT_FALSE(make().cache().find("liar", "").value());
}

// A cached file changed after the pull (another user, a disk error) is not loaded.
TEST_F(PullerTest, CachedFilesAreVerifiedBeforeUse) {
  publish("tool", "1.0.0", "original");
  Puller puller = make();
  auto path = puller.resolve_to_local(ref("tool"), PullPolicy::kMissing);
  ASSERT_TRUE(path) << path.error().message;
  fs::remove(*path);  // a hard link to the blob: replace rather than write through it
  std::ofstream(*path) << "swapped!";
  auto again = make().resolve_to_local(ref("tool"), PullPolicy::kMissing);
  ASSERT_FALSE(again);
  EXPECT_NE(again.error().message.find("was changed"), std::string::npos) << again.error().message;
}

}  // namespace
}  // namespace lmp::registry
