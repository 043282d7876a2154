// The cache's own files are input like any other: refs.json may be corrupt or hostile, the
// umask may be 000, the lock may be unusable.
#include "registry/cache.h"

#include <sys/stat.h>
#include <unistd.h>

#include <fstream>

#include <gtest/gtest.h>

#include "registry/digest.h"

namespace lmp::registry {
namespace {

namespace fs = std::filesystem;

class CacheTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() /
            ("lmp-cache-test-" + std::to_string(::getpid()) + "-" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(root_);
    fs::create_directories(root_);
    fs::permissions(root_, fs::perms(0755));
    home_ = root_ / "home";
  }
  void TearDown() override { fs::remove_all(root_); }

  // Records demo:1.0.0 with one package.json holding `body`.
  Result<CachedPackage> add_demo(Cache& cache, const std::string& body) {
    auto temp = LMP_TRY(cache.temp_file());
    std::ofstream(temp.path()) << body;
    Cache::Fetched fetched;
    fetched.emplace_back(std::move(temp), FileEntry{"package.json", sha256_hex(body), body.size()});
    CachedPackage entry;
    entry.name = "demo";
    entry.version = "1.0.0";
    return cache.commit(entry, fetched);
  }

  void write_refs(const std::string& text) { std::ofstream(home_ / "refs.json") << text; }

  static std::string entry(const std::string& fields) {
    return R"({"schema_version":1,"packages":[{)" + fields + "}]}";
  }

  fs::path root_;
  fs::path home_;
};

constexpr const char* kFile =
    R"("files":[{"name":"package.json","sha256":"0000000000000000000000000000000000000000000000000000000000000000","size":2}])";

// A wrongly typed field is an error naming the file and the entry, never an exception.
TEST_F(CacheTest, WronglyTypedRefsJsonIsAnError) {
  auto cache = Cache::open(home_);
  ASSERT_TRUE(cache);
  std::string ok = R"("name":"demo","version":"1.0.0","dir":"packages/demo/1.0.0",)";
  for (const std::string& refs : {
           std::string(R"({"packages":{}})"),
           std::string(R"([1,2])"),
           std::string("not json"),
           entry(ok + R"("from_url":"yes",)" + kFile),
           entry(ok + R"("source":17,)" + kFile),
           entry(R"("name":["demo"],"dir":"packages/demo/latest",)" + std::string(kFile)),
           entry(ok + R"("files":[{"name":"package.json","sha256":7,"size":2}])"),
           entry(ok + R"("files":[{"name":"package.json","sha256":"00","size":"big"}])"),
           entry(ok + R"("files":"package.json")"),
           entry(ok + R"("files":[])"),
           entry(ok + R"("files":[{"name":"../../x","sha256":"00","size":1}])"),
       }) {
    write_refs(refs);
    auto listed = cache->list();
    ASSERT_FALSE(listed) << refs;
    EXPECT_EQ(listed.error().code, ExitCode::kFailure) << refs;
    EXPECT_NE(listed.error().message.find("refs.json"), std::string::npos)
        << listed.error().message;
    EXPECT_FALSE(cache->find("demo", ""));
    EXPECT_FALSE(cache->remove("demo", ""));
  }
}

// No path in refs.json is used: `dir` must be where the cache itself would put the
// package, and the name and version that make that path are checked.
TEST_F(CacheTest, RefsJsonCannotPointOutsideTheCache) {
  fs::path victim = root_ / "victim";
  fs::create_directories(victim);
  std::ofstream(victim / "precious") << "keep me";
  auto cache = Cache::open(home_);
  ASSERT_TRUE(cache);
  for (
      const std::string& fields : {
          R"("name":"demo","version":"1.0.0","dir":")" + victim.string() + R"(",)",
          std::string(R"("name":"demo","version":"1.0.0","dir":"../victim",)"),
          std::string(R"("name":"..","version":"","dir":"packages/../latest",)"),
          std::string(
              R"("name":"demo","version":"../../../victim","dir":"packages/demo/../../../victim",)"),
      }) {
    write_refs(entry(fields + kFile));
    EXPECT_FALSE(cache->remove("demo", "")) << fields;
    EXPECT_FALSE(cache->remove("..", "")) << fields;
  }
  EXPECT_TRUE(fs::exists(victim / "precious"));
}

// A symbolic link planted inside the cache does not lead `lmp rm` out of it.
TEST_F(CacheTest, RemoveDoesNotFollowALinkOutOfTheCache) {
  fs::path victim = root_ / "victim";
  fs::create_directories(victim / "1.0.0");
  std::ofstream(victim / "1.0.0/precious") << "keep me";
  auto cache = Cache::open(home_);
  ASSERT_TRUE(cache);
  ASSERT_TRUE(add_demo(*cache, "{}"));
  fs::remove_all(home_ / "packages/demo");
  fs::create_directory_symlink(victim, home_ / "packages/demo");
  auto removed = cache->remove("demo", "");
  ASSERT_TRUE(removed) << removed.error().message;
  EXPECT_TRUE(fs::exists(victim / "1.0.0/precious"));
}

mode_t mode_of(const fs::path& p) {
  struct stat st {};
  ::lstat(p.c_str(), &st);
  return st.st_mode & 07777;
}

// umask 000 (or 002) must not make anything in the cache group- or world-writable.
TEST_F(CacheTest, ModesDoNotDependOnTheUmask) {
  mode_t old = ::umask(0);
  auto cache = Cache::open(home_);
  auto added =
      cache ? add_demo(*cache, "{}") : Result<CachedPackage>(std::unexpected(cache.error()));
  ::umask(old);
  ASSERT_TRUE(added) << added.error().message;
  for (const auto& e : fs::recursive_directory_iterator(home_)) {
    EXPECT_EQ(mode_of(e.path()) & 022, 0u) << e.path();
    if (e.is_directory()) {
      EXPECT_EQ(mode_of(e.path()), 0755u) << e.path();
    }
  }
  EXPECT_EQ(mode_of(home_), 0755u);
  EXPECT_TRUE(cache->verify(*added));
}

// Like ssh: a cache another local user could write to is refused, with the fix.
TEST_F(CacheTest, UnsafePermissionsAreRefused) {
  ASSERT_TRUE(Cache::open(home_));
  for (const char* sub : {"", "blobs/sha256", "packages", "tmp"}) {
    fs::permissions(home_ / sub, fs::perms(0777));
    auto opened = Cache::open(home_);
    ASSERT_FALSE(opened) << sub;
    EXPECT_NE(opened.error().message.find("writable by group or others"), std::string::npos)
        << opened.error().message;
    EXPECT_NE(opened.error().hint.find("chmod go-w"), std::string::npos);
    fs::permissions(home_ / sub, fs::perms(0755));
  }
  ASSERT_TRUE(Cache::open(home_));
  std::ofstream(home_ / "refs.json") << R"({"packages":[]})";
  fs::permissions(home_ / "refs.json", fs::perms(0666));
  EXPECT_FALSE(Cache::open(home_));
}

// Without its lock a writer would lose other writers' entries: failing to take it fails.
TEST_F(CacheTest, UnusableLockIsAnError) {
  auto cache = Cache::open(home_);
  ASSERT_TRUE(cache);
  fs::create_directory(home_ / "lock");  // open(O_RDWR) of a directory fails
  auto added = add_demo(*cache, "{}");
  ASSERT_FALSE(added);
  EXPECT_NE(added.error().message.find("cannot open the cache lock"), std::string::npos)
      << added.error().message;
  EXPECT_FALSE(cache->remove("demo", ""));
}

}  // namespace
}  // namespace lmp::registry
