// Registry authentication pieces that need no network: WWW-Authenticate challenges, Basic
// credentials, token responses. The request flow that uses them is in oci_client.cpp.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace lmp::registry {

// A user name and password (or token) for one registry.
struct Credentials {
  std::string username;
  std::string password;

  bool operator==(const Credentials&) const = default;
};

// One challenge of a WWW-Authenticate header: `Bearer realm="...",service="...",scope="..."`.
struct AuthChallenge {
  std::string scheme;                         // lowercase: "bearer", "basic"
  std::map<std::string, std::string> params;  // lowercase keys, unquoted values

  std::string param(const std::string& key) const;
};

// Parses a WWW-Authenticate value (one or more challenges, quoted strings with backslash
// escapes, unquoted tokens). Malformed input gives kNetwork.
Result<std::vector<AuthChallenge>> parse_www_authenticate(std::string_view header);

// Standard base64 with padding, and its inverse (nullopt for malformed input).
std::string base64_encode(std::string_view bytes);
std::optional<std::string> base64_decode(std::string_view text);

// "Basic base64(user:password)".
std::string basic_authorization(const Credentials& credentials);

// Splits the decoded form "user:password" (at the first ':'); nullopt without a ':'.
std::optional<Credentials> split_user_password(std::string_view decoded);

// The token of a token endpoint's JSON answer: "token", else "access_token".
Result<std::string> parse_token_response(std::string_view body);

// The URL to ask for a bearer token: realm?service=...&scope=... (values URL-encoded,
// empty ones left out).
std::string token_url(const AuthChallenge& challenge, std::string_view scope);

// Percent-encodes everything but unreserved characters (RFC 3986).
std::string url_encode(std::string_view text);

}  // namespace lmp::registry
