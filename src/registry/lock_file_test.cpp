#include "registry/lock_file.h"

#include <gtest/gtest.h>

#include <unistd.h>

#include <fstream>

namespace lmp::registry {
namespace {

LockFile sample_lock_file() {
  LockFile lock;
  lock.root = "suite";
  lock.dependencies = {{"sigsnoop", "^0.1"},
                       {"x", {{"version", "1"}, {"url", "https://e.org/x/package.json"}}}};
  lock.packages.push_back({"sigsnoop",
                           "0.1.2",
                           SourceKind::kRepository,
                           "https://repo.example",
                           "package.json",
                           std::string(64, 'a'),
                           {"suite"}});
  lock.packages.push_back({"x",
                           "",
                           SourceKind::kUrl,
                           "https://e.org/x/package.json",
                           "package.json",
                           std::string(64, 'b'),
                           {"suite"}});
  lock.packages.push_back({"y",
                           "1.3.0",
                           SourceKind::kGit,
                           "https://e.org/tools.git#v1.3.0:y",
                           "package.json",
                           std::string(64, 'c'),
                           {"suite"}});
  return lock;
}

TEST(LockFile, RoundTrip) {
  LockFile lock = sample_lock_file();
  auto parsed = parse_lock(write_lock(lock));
  ASSERT_TRUE(parsed) << parsed.error().message;
  EXPECT_EQ(*parsed, lock);
}

TEST(LockFile, MatchesTheConfigItWasWrittenFor) {
  package::Config config;
  config.name = "suite";
  config.dependencies["sigsnoop"].range = "^0.1";
  config.dependencies["x"].range = "1";
  config.dependencies["x"].url = "https://e.org/x/package.json";
  EXPECT_TRUE(lock_matches(sample_lock_file(), config));
  config.dependencies["sigsnoop"].range = "^0.2";
  EXPECT_FALSE(lock_matches(sample_lock_file(), config));
  config.dependencies["sigsnoop"].range = "^0.1";
  config.name = "other";
  EXPECT_FALSE(lock_matches(sample_lock_file(), config));
}

TEST(LockFile, HugeNumbersAreAnErrorNotACrash) {
  // nlohmann's accept() takes 1e999 and parse() throws out_of_range on it (found by fuzzing).
  for (const char* text : {"63e6666", R"({"lock_version": 1e999})"}) {
    auto parsed = parse_lock(text);
    ASSERT_FALSE(parsed) << text;
    EXPECT_EQ(parsed.error().code, ExitCode::kBadPackage);
  }
}

TEST(LockFile, BadInputIsOneClearError) {
  std::string text = write_lock(sample_lock_file());
  auto error_of = [](std::string_view t) {
    auto parsed = parse_lock(t);
    EXPECT_FALSE(parsed);
    EXPECT_EQ(parsed ? ExitCode::kOk : parsed.error().code, ExitCode::kBadPackage);
    return parsed ? std::string() : parsed.error().message;
  };
  EXPECT_TRUE(error_of(text.substr(0, text.size() / 2))
                  .starts_with("lmp.lock: truncated or invalid JSON at byte "));
  auto doc = nlohmann::json::parse(text);
  auto with = [&](const std::string& pointer, nlohmann::json value) {
    auto copy = doc;
    copy[nlohmann::json::json_pointer(pointer)] = std::move(value);
    return copy.dump();
  };
  EXPECT_EQ(error_of(with("/packages/0/sha256", "abc")),
            "lmp.lock: packages[0].sha256: expected 64 lowercase hex digits");
  EXPECT_EQ(error_of(with("/packages/1/version", 3)),
            "lmp.lock: packages[1].version: expected a string");
  EXPECT_EQ(error_of(with("/packages/0/from", "ftp")),
            "lmp.lock: packages[0].from: expected repository, url, oci or git, got \"ftp\"");
  EXPECT_EQ(error_of(with("/packages", "all")), "lmp.lock: packages: expected an array");
  EXPECT_EQ(error_of(with("/lock_version", 2)),
            "lmp.lock: lock_version: is 2; this lmp reads version 1 (run 'lmp lock' again)");
  EXPECT_EQ(error_of("[]"), "lmp.lock: expected a JSON object");
}

TEST(LockFile, WrittenAtomicallyAndReadBack) {
  auto dir = std::filesystem::temp_directory_path() / ("lmp-lock-test-" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  auto none = read_lock_file(dir);
  ASSERT_TRUE(none);
  EXPECT_FALSE(*none);
  ASSERT_TRUE(write_lock_file(dir, sample_lock_file()));
  auto read = read_lock_file(dir);
  ASSERT_TRUE(read && *read);
  EXPECT_EQ(**read, sample_lock_file());
  std::ofstream(dir / kLockFileName) << "{\"lock_version\": 1, \"root\": 5";
  auto bad = read_lock_file(dir);
  ASSERT_FALSE(bad);
  EXPECT_TRUE(bad.error().message.starts_with((dir / kLockFileName).string() + ": truncated"));
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace lmp::registry
