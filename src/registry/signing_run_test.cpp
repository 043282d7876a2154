#include "registry/signing_run.h"

#include <fstream>

#include <gtest/gtest.h>

#include "registry/cache.h"
#include "registry/digest.h"

namespace lmp::registry {
namespace {

namespace fs = std::filesystem;

class SigningRunTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("lmp-signing-run-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_ / "pkg");
    write("pkg/package.json", R"({"bpf_object": "", "meta": {"bpf_skel": {"obj_name": "demo"}}})");
    write("pkg/config.json", R"({"name": "demo", "version": "1.0.0"})");
    key_ = *generate_key("alice");
  }
  void TearDown() override { fs::remove_all(dir_); }
  void write(const std::string& name, const std::string& text) {
    std::ofstream(dir_ / name, std::ios::binary) << text;
  }
  RunPackage package(PackageSource source) const {
    return RunPackage{dir_ / "pkg/package.json", "demo", source};
  }
  fs::path dir_;
  KeyPair key_;
};

TEST_F(SigningRunTest, WarnModeWarnsOnceForUnsignedRemotePackagesOnly) {
  TrustPolicy policy;
  auto remote = verify_run_packages(
      {package(PackageSource::kRepository), package(PackageSource::kRepository)}, policy,
      std::nullopt, std::nullopt);
  ASSERT_TRUE(remote) << remote.error().message;
  ASSERT_EQ(remote->size(), 1u);  // the same package twice: one warning
  EXPECT_NE((*remote)[0].find("demo: it is not signed"), std::string::npos) << (*remote)[0];
  EXPECT_NE((*remote)[0].find("from a repository"), std::string::npos) << (*remote)[0];
  auto local =
      verify_run_packages({package(PackageSource::kLocalPath)}, policy, std::nullopt, std::nullopt);
  ASSERT_TRUE(local);
  EXPECT_TRUE(local->empty());
  auto required = verify_run_packages({package(PackageSource::kLocalPath)}, policy, std::nullopt,
                                      VerifyMode::kRequire);
  ASSERT_FALSE(required);
  EXPECT_EQ(required.error().code, ExitCode::kPermission);
  EXPECT_EQ(required.error().message, "refused to run demo: it is not signed");
}

TEST_F(SigningRunTest, CatalogKeyIsTrustedOnlyForCatalogPackages) {
  ASSERT_TRUE(sign_package(dir_ / "pkg", key_));
  TrustPolicy policy;
  policy.verify = VerifyMode::kRequire;
  auto from_catalog = verify_run_packages({package(PackageSource::kCatalog)}, policy,
                                          key_.public_key, std::nullopt);
  ASSERT_TRUE(from_catalog) << from_catalog.error().message;
  EXPECT_TRUE(from_catalog->empty());
  auto elsewhere = verify_run_packages({package(PackageSource::kRepository)}, policy,
                                       key_.public_key, std::nullopt);
  ASSERT_FALSE(elsewhere);
  EXPECT_EQ(elsewhere.error().code, ExitCode::kPermission);
  EXPECT_NE(elsewhere.error().message.find(key_fingerprint(key_.public_key)), std::string::npos);
  // Off overrides require.
  EXPECT_TRUE(verify_run_packages({package(PackageSource::kRepository)}, policy, key_.public_key,
                                  VerifyMode::kOff));
}

TEST_F(SigningRunTest, TamperedPackageIsAnErrorNamingPackageAndKey) {
  ASSERT_TRUE(sign_package(dir_ / "pkg", key_));
  write("pkg/config.json", R"({"name": "demo", "version": "1.0.0", "x": 1})");
  TrustPolicy policy;
  auto tampered =
      verify_run_packages({package(PackageSource::kLocalPath)}, policy, std::nullopt, std::nullopt);
  ASSERT_FALSE(tampered);
  EXPECT_EQ(tampered.error().code, ExitCode::kBadPackage);
  const std::string& message = tampered.error().message;
  EXPECT_TRUE(message.starts_with("demo: ")) << message;
  EXPECT_NE(message.find("config.json was changed after signing"), std::string::npos) << message;
  EXPECT_NE(message.find(key_fingerprint(key_.public_key)), std::string::npos) << message;
  EXPECT_EQ(message.find('\n'), std::string::npos);
}

TEST_F(SigningRunTest, FilesNoSignatureCoversAreUnsigned) {
  write("pkg/package.yaml", "bpf_object: ''\n");
  ASSERT_TRUE(sign_package(dir_ / "pkg", key_));
  TrustPolicy policy;
  policy.keys.push_back({key_fingerprint(key_.public_key), key_.public_key, "alice", "*"});
  RunPackage yaml{dir_ / "pkg/package.yaml", "demo", PackageSource::kRepository};
  auto warned = verify_run_packages({yaml}, policy, std::nullopt, std::nullopt);
  ASSERT_TRUE(warned);
  ASSERT_EQ(warned->size(), 1u);
  EXPECT_NE((*warned)[0].find("package.yaml cannot be signed"), std::string::npos);
  EXPECT_FALSE(verify_run_packages({yaml}, policy, std::nullopt, VerifyMode::kRequire));
  EXPECT_TRUE(verify_run_packages({package(PackageSource::kRepository)}, policy, std::nullopt,
                                  VerifyMode::kRequire));
}

TEST_F(SigningRunTest, DescribesCachedPackagesByTheirSource) {
  fs::path home = dir_ / "home";
  Cache cache = *Cache::open(home);
  // A cached package whose source is the catalog, and a local path.
  auto local = describe_run_package(dir_ / "pkg/package.json", home, "file:///opt/catalog");
  ASSERT_TRUE(local) << local.error().message;
  EXPECT_EQ(local->source, PackageSource::kLocalPath);
  EXPECT_EQ(local->name, "demo");
  const std::string bytes = R"({"bpf_object": ""})";
  auto temp = cache.temp_file();
  ASSERT_TRUE(temp);
  std::ofstream(temp->path(), std::ios::binary) << bytes;
  ASSERT_TRUE(cache.store_blob(*temp, sha256_hex(bytes)));
  CachedPackage entry;
  entry.name = "demo";
  entry.version = "1.0.0";
  entry.source = "file:///opt/catalog/demo/1.0.0";
  entry.files = {{"package.json", sha256_hex(bytes), bytes.size()}};
  auto added = cache.add(entry);
  ASSERT_TRUE(added) << added.error().message;
  fs::path file = added->dir / "package.json";
  auto cached = describe_run_package(file, home, "file:///opt/catalog");
  ASSERT_TRUE(cached) << cached.error().message;
  EXPECT_EQ(cached->source, PackageSource::kCatalog);
  auto other = describe_run_package(file, home, "file:///opt/other");
  ASSERT_TRUE(other);
  EXPECT_EQ(other->source, PackageSource::kRepository);
  // A catalog URL that is a prefix of another directory's name is not that directory.
  auto prefix = describe_run_package(file, home, "file:///opt/cat");
  ASSERT_TRUE(prefix);
  EXPECT_EQ(prefix->source, PackageSource::kRepository);
}

}  // namespace
}  // namespace lmp::registry
