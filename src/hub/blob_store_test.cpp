#include "hub/blob_store.h"

#include <gtest/gtest.h>

#include "common/file.h"
#include "hub/sqlite_test_util.h"

namespace lmp::hub {
namespace {

namespace fs = std::filesystem;

// SHA-256 of "abc" (FIPS 180-2 test vector).
constexpr const char* kAbc = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";

TEST(BlobStoreTest, OpenCreatesTheLayout) {
  testing::TempDir dir;
  auto store = BlobStore::open(dir.path() / "data");
  ASSERT_TRUE(store) << store.error().message;
  EXPECT_TRUE(fs::is_directory(dir.path() / "data" / "blobs" / "sha256"));
  EXPECT_TRUE(fs::is_directory(dir.path() / "data" / "tmp"));
  EXPECT_EQ(store->tmp_dir(), dir.path() / "data" / "tmp");
}

TEST(BlobStoreTest, PutStoresContentUnderItsDigest) {
  testing::TempDir dir;
  auto store = BlobStore::open(dir.path());
  ASSERT_TRUE(store);
  auto digest = store->put("abc");
  ASSERT_TRUE(digest) << digest.error().message;
  EXPECT_EQ(*digest, kAbc);
  EXPECT_TRUE(store->contains(kAbc));
  auto path = store->path(kAbc);
  ASSERT_TRUE(path);
  EXPECT_EQ(*path, dir.path() / "blobs" / "sha256" / kAbc);
  EXPECT_EQ(*read_file(*path), "abc");
  EXPECT_EQ(fs::status(*path).permissions() & fs::perms::others_read, fs::perms::others_read);

  // The same content again: same digest, still one file; no temp file left behind.
  EXPECT_EQ(*store->put("abc"), kAbc);
  EXPECT_TRUE(fs::is_empty(store->tmp_dir()));
  auto count = std::distance(fs::directory_iterator(dir.path() / "blobs" / "sha256"),
                             fs::directory_iterator());
  EXPECT_EQ(count, 1);
}

TEST(BlobStoreTest, EmptyAndBinaryContent) {
  testing::TempDir dir;
  auto store = BlobStore::open(dir.path());
  ASSERT_TRUE(store);
  auto empty = store->put("");
  ASSERT_TRUE(empty);
  EXPECT_EQ(*empty, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(*read_file(*store->path(*empty)), "");
  std::string binary("\0\x01\xff\0wasm", 8);
  auto digest = store->put(binary);
  ASSERT_TRUE(digest);
  EXPECT_EQ(*read_file(*store->path(*digest)), binary);
}

TEST(BlobStoreTest, PathRefusesWhatIsNotADigest) {
  testing::TempDir dir;
  auto store = BlobStore::open(dir.path());
  ASSERT_TRUE(store);
  ASSERT_TRUE(store->put("abc"));
  std::string upper(kAbc);
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  for (const std::string& bad :
       {std::string(), std::string("abc"), upper, std::string("../../etc/passwd"),
        std::string(kAbc) + "0", std::string(kAbc).substr(0, 63) + "/",
        std::string(kAbc).substr(0, 63) + "g"}) {
    auto p = store->path(bad);
    ASSERT_FALSE(p) << bad;
    EXPECT_EQ(p.error().code, ExitCode::kNotFound);
    EXPECT_FALSE(store->contains(bad));
  }
  auto absent = store->path(std::string(64, '0'));
  ASSERT_FALSE(absent);
  EXPECT_EQ(absent.error().code, ExitCode::kNotFound);
}

TEST(BlobStoreTest, UnwritableDirectoryIsAnError) {
  testing::TempDir dir;
  ASSERT_TRUE(write_file_atomic(dir.path() / "file", "x"));
  auto store = BlobStore::open(dir.path() / "file");
  ASSERT_FALSE(store);
  EXPECT_EQ(store.error().code, ExitCode::kFailure);
}

}  // namespace
}  // namespace lmp::hub
