#include "registry/oci_auth.h"

#include <gtest/gtest.h>

namespace lmp::registry {
namespace {

TEST(OciAuth, ParsesABearerChallenge) {
  auto c = parse_www_authenticate(
      R"(Bearer realm="https://auth.example.com/token",service="registry.example.com",scope="repository:a/b:pull,push")");
  ASSERT_TRUE(c) << c.error().message;
  ASSERT_EQ(c->size(), 1u);
  EXPECT_EQ((*c)[0].scheme, "bearer");
  EXPECT_EQ((*c)[0].param("realm"), "https://auth.example.com/token");
  EXPECT_EQ((*c)[0].param("service"), "registry.example.com");
  EXPECT_EQ((*c)[0].param("scope"), "repository:a/b:pull,push");
}

TEST(OciAuth, ParsesSeveralChallengesAndEscapes) {
  auto c =
      parse_www_authenticate(R"(Basic realm="say \"hi\"", Bearer realm=https://x/t ,service=s)");
  ASSERT_TRUE(c);
  ASSERT_EQ(c->size(), 2u);
  EXPECT_EQ((*c)[0].scheme, "basic");
  EXPECT_EQ((*c)[0].param("realm"), "say \"hi\"");
  EXPECT_EQ((*c)[1].param("realm"), "https://x/t");
  EXPECT_EQ((*c)[1].param("service"), "s");
}

TEST(OciAuth, RefusesMalformedHeaders) {
  EXPECT_FALSE(parse_www_authenticate(""));
  EXPECT_FALSE(parse_www_authenticate(R"(Bearer realm="open)"));
  EXPECT_FALSE(parse_www_authenticate(R"("quoted")"));
}

TEST(OciAuth, Base64RoundTrips) {
  EXPECT_EQ(base64_encode("alice:s3cret"), "YWxpY2U6czNjcmV0");
  EXPECT_EQ(base64_decode("YWxpY2U6czNjcmV0"), "alice:s3cret");
  EXPECT_EQ(base64_decode(""), "");
  EXPECT_FALSE(base64_decode("not base64!"));
  auto c = split_user_password("alice:pa:ss");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->username, "alice");
  EXPECT_EQ(c->password, "pa:ss");
  EXPECT_FALSE(split_user_password("nocolon"));
  EXPECT_EQ(basic_authorization({"alice", "s3cret"}), "Basic YWxpY2U6czNjcmV0");
}

TEST(OciAuth, TokenResponsesAndUrls) {
  EXPECT_EQ(parse_token_response(R"({"token":"abc"})"), "abc");
  EXPECT_EQ(parse_token_response(R"({"access_token":"xyz"})"), "xyz");
  EXPECT_FALSE(parse_token_response(R"({"token":""})"));
  EXPECT_FALSE(parse_token_response("nope"));
  AuthChallenge c{"bearer", {{"realm", "https://a/token"}, {"service", "reg x"}}};
  EXPECT_EQ(token_url(c, "repository:t/o:pull,push"),
            "https://a/token?service=reg%20x&scope=repository%3At%2Fo%3Apull%2Cpush");
  EXPECT_EQ(token_url(c, ""), "https://a/token?service=reg%20x");
}

}  // namespace
}  // namespace lmp::registry
