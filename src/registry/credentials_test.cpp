#include "registry/credentials.h"

#include <sys/stat.h>

#include <fstream>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace lmp::registry {
namespace {

namespace fs = std::filesystem;

class HubTokens : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/lmp-hubtok-XXXXXX";
    home_ = ::mkdtemp(tmpl);
  }
  void TearDown() override { fs::remove_all(home_); }
  // The current hub, "" for none.
  std::string last() {
    auto hub = last_hub(home_);
    EXPECT_TRUE(hub);
    return hub && *hub ? **hub : std::string();
  }
  fs::path home_;
};

TEST_F(HubTokens, RoundTripBesideRegistryCredentials) {
  auto none = find_hub_token(home_, "http://hub");
  ASSERT_TRUE(none);
  EXPECT_FALSE(*none);
  EXPECT_EQ(last(), "");

  ASSERT_TRUE(store_credentials(home_, "reg.example", {"u", "p"}));
  ASSERT_TRUE(store_hub_token(home_, "http://hub", {"alice", "lmp_1"}));
  ASSERT_TRUE(store_hub_token(home_, "https://other", {"bob", "lmp_2"}));
  struct stat st {};
  ASSERT_EQ(::stat(credentials_path(home_).c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);

  auto alice = find_hub_token(home_, "http://hub");
  ASSERT_TRUE(alice && *alice);
  EXPECT_EQ((*alice)->user, "alice");
  EXPECT_EQ((*alice)->token, "lmp_1");
  EXPECT_EQ(last(), "https://other");
  auto registry = find_credentials(home_, "reg.example");
  ASSERT_TRUE(registry && *registry);
  EXPECT_EQ((*registry)->credentials, (Credentials{"u", "p"}));

  // Logging in again replaces the token and makes the hub current again.
  ASSERT_TRUE(store_hub_token(home_, "http://hub", {"alice", "lmp_3"}));
  EXPECT_EQ((*find_hub_token(home_, "http://hub"))->token, "lmp_3");
  EXPECT_EQ(last(), "http://hub");

  EXPECT_EQ(erase_hub_token(home_, "http://hub"), true);
  EXPECT_EQ(erase_hub_token(home_, "http://hub"), false);
  EXPECT_EQ(last(), "");  // not another hub by surprise
  EXPECT_TRUE(*find_hub_token(home_, "https://other"));
  EXPECT_TRUE(*find_credentials(home_, "reg.example"));
  EXPECT_EQ(erase_credentials(home_, "reg.example"), true);
  EXPECT_TRUE(*find_hub_token(home_, "https://other"));
}

TEST_F(HubTokens, CorruptEntriesAreErrors) {
  std::ofstream(credentials_path(home_)) << R"({"auths":{},"hubs":{"http://hub":{"user":"a"}}})";
  auto bad = find_hub_token(home_, "http://hub");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().hint, "run 'lmp logout http://hub' and log in again");
  std::ofstream(credentials_path(home_)) << R"({"hubs":[]})";
  EXPECT_FALSE(find_hub_token(home_, "http://hub"));
  EXPECT_FALSE(store_hub_token(home_, "http://hub", {"a", "t"}));
}

}  // namespace
}  // namespace lmp::registry
