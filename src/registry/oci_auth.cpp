#include "registry/oci_auth.h"

#include <sodium.h>

#include <cctype>

#include <nlohmann/json.hpp>

namespace lmp::registry {
namespace {

inline constexpr std::size_t kMaxTokenBytes = 64 * 1024;

bool is_token_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) ||
         std::string_view("!#$%&'*+-.^_`|~/=:").find(c) != std::string_view::npos;
}

std::string lower_oci_auth(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

void skip_space(std::string_view text, std::size_t& i) {
  while (i < text.size() && (text[i] == ' ' || text[i] == '\t')) ++i;
}

std::string read_token(std::string_view text, std::size_t& i) {
  std::size_t start = i;
  while (i < text.size() && is_token_char(text[i]) && text[i] != '=') ++i;
  return std::string(text.substr(start, i - start));
}

}  // namespace

std::string AuthChallenge::param(const std::string& key) const {
  auto it = params.find(key);
  return it == params.end() ? std::string() : it->second;
}

Result<std::vector<AuthChallenge>> parse_www_authenticate(std::string_view text) {
  auto bad = [&](const std::string& what) {
    return fail(ExitCode::kNetwork, "malformed WWW-Authenticate header from the registry: " + what);
  };
  std::vector<AuthChallenge> out;
  std::size_t i = 0;
  while (true) {
    skip_space(text, i);
    while (i < text.size() && (text[i] == ',' || text[i] == ' ')) ++i;
    if (i >= text.size()) break;
    std::string scheme = read_token(text, i);
    if (scheme.empty()) return bad("expected an auth scheme");
    out.push_back({lower_oci_auth(scheme), {}});
    // Parameters: key=value or key="quoted", separated by commas, until the next scheme.
    while (true) {
      skip_space(text, i);
      std::size_t mark = i;
      std::string key = read_token(text, i);
      skip_space(text, i);
      if (key.empty() || i >= text.size() || text[i] != '=') {
        i = mark;  // a new challenge starts here (or the header ends)
        break;
      }
      ++i;
      skip_space(text, i);
      std::string value;
      if (i < text.size() && text[i] == '"') {
        ++i;
        bool closed = false;
        while (i < text.size()) {
          char c = text[i++];
          if (c == '\\' && i < text.size()) {
            value += text[i++];
          } else if (c == '"') {
            closed = true;
            break;
          } else {
            value += c;
          }
        }
        if (!closed) return bad("unterminated quoted string");
      } else {
        std::size_t start = i;
        while (i < text.size() && text[i] != ',' && text[i] != ' ') ++i;
        value = std::string(text.substr(start, i - start));
      }
      out.back().params[lower_oci_auth(key)] = std::move(value);
      skip_space(text, i);
      if (i < text.size() && text[i] == ',') ++i;
    }
    if (out.size() > 16) return bad("too many challenges");
  }
  if (out.empty()) return bad("empty");
  return out;
}

std::string base64_encode(std::string_view bytes) {
  std::string out(sodium_base64_ENCODED_LEN(bytes.size(), sodium_base64_VARIANT_ORIGINAL), '\0');
  sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(bytes.data()),
                    bytes.size(), sodium_base64_VARIANT_ORIGINAL);
  out.resize(out.size() - 1);  // the terminating NUL
  return out;
}

std::optional<std::string> base64_decode(std::string_view text) {
  std::string out(text.size() / 4 * 3 + 3, '\0');
  std::size_t len = 0;
  const char* end = nullptr;
  if (sodium_base642bin(reinterpret_cast<unsigned char*>(out.data()), out.size(), text.data(),
                        text.size(), nullptr, &len, &end, sodium_base64_VARIANT_ORIGINAL) != 0 ||
      end != text.data() + text.size())
    return std::nullopt;
  out.resize(len);
  return out;
}

std::string basic_authorization(const Credentials& credentials) {
  return "Basic " + base64_encode(credentials.username + ":" + credentials.password);
}

std::optional<Credentials> split_user_password(std::string_view decoded) {
  std::size_t colon = decoded.find(':');
  if (colon == std::string_view::npos) return std::nullopt;
  return Credentials{std::string(decoded.substr(0, colon)), std::string(decoded.substr(colon + 1))};
}

Result<std::string> parse_token_response(std::string_view body) {
  auto bad = [] { return fail(ExitCode::kNetwork, "the registry's token service gave no token"); };
  if (body.size() > kMaxTokenBytes) return bad();
  auto root = nlohmann::json::parse(body, nullptr, false);
  if (root.is_discarded() || !root.is_object()) return bad();
  for (const char* key : {"token", "access_token"}) {
    auto it = root.find(key);
    if (it != root.end() && it->is_string() && !it->get_ref<const std::string&>().empty())
      return it->get<std::string>();
  }
  return bad();
}

std::string url_encode(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (char ch : text) {
    auto c = static_cast<unsigned char>(ch);
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
      out += ch;
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

std::string token_url(const AuthChallenge& challenge, std::string_view scope) {
  std::string url = challenge.param("realm");
  char sep = url.find('?') == std::string::npos ? '?' : '&';
  auto add = [&](const char* key, std::string_view value) {
    if (value.empty()) return;
    url += sep;
    url += key;
    url += '=';
    url += url_encode(value);
    sep = '&';
  };
  add("service", challenge.param("service"));
  add("scope", scope);
  return url;
}

}  // namespace lmp::registry
