#include "hub/api_json.h"

#include <gtest/gtest.h>

namespace lmp::hub {
namespace {

// The API names who signed each version, and the shown one: {key, key_name}, or null.
TEST(ApiJsonTest, PackageShowsEachVersionsSignature) {
  PackageRecord package;
  package.name = "tool";
  package.versions.resize(2);
  package.versions[0].version = "1.1.0";
  package.versions[0].details = "{}";
  package.versions[1].version = "1.0.0";
  package.versions[1].details = "{}";
  package.versions[1].signer_key = "ed25519:00112233445566778899aabbccddeeff";
  package.versions[1].signer_name = "release";

  nlohmann::json shown_signed = package_json(package, "1.0.0");
  EXPECT_EQ(shown_signed["signature"],
            nlohmann::json(
                {{"key", "ed25519:00112233445566778899aabbccddeeff"}, {"key_name", "release"}}));
  EXPECT_TRUE(shown_signed["versions"][0]["signature"].is_null());
  EXPECT_EQ(shown_signed["versions"][1]["signature"]["key_name"], "release");
  EXPECT_TRUE(package_json(package, "1.1.0")["signature"].is_null());
}

}  // namespace
}  // namespace lmp::hub
