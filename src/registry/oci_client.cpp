#include "registry/oci_client.h"

#include <cstdlib>

#include <nlohmann/json.hpp>

#include "common/log.h"
#include "common/text_escape.h"
#include "registry/digest.h"

namespace lmp::registry {
namespace {

bool is_digest_ref(std::string_view ref) {
  return ref.starts_with("sha256:");
}

// "code: message" of a registry's {"errors":[{"code","message"}]} body, or "".
std::string registry_error_text(const std::string& body) {
  auto root = nlohmann::json::parse(body, nullptr, false);
  if (!root.is_object() || !root.contains("errors") || !root["errors"].is_array()) return "";
  auto text = [](const nlohmann::json& e, const char* key) {
    auto it = e.find(key);
    return it != e.end() && it->is_string() ? it->get<std::string>() : std::string();
  };
  std::string out;
  for (const auto& e : root["errors"]) {
    if (!e.is_object()) continue;
    std::string code = text(e, "code"), message = text(e, "message");
    if (!out.empty()) out += "; ";
    out += code + (message.empty() ? "" : ": " + message);
    if (out.size() > 500) break;
  }
  return escape_text(out.substr(0, 600));  // a registry's words, printed to a terminal
}

// "scheme://host:port" of a URL, lowercase, with the scheme's default port filled in:
// credentials go only to the origin they are for.
std::string origin_of(std::string_view url) {
  std::size_t scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) return "";
  std::string scheme(url.substr(0, scheme_end));
  std::string_view rest = url.substr(scheme_end + 3);
  std::string host(rest.substr(0, rest.find_first_of("/?#")));
  if (std::size_t at = host.rfind('@'); at != std::string::npos) host.erase(0, at + 1);
  for (auto* s : {&scheme, &host})
    for (char& c : *s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  std::size_t colon = host.rfind(':');
  bool has_port = colon != std::string::npos && host.find(']', colon) == std::string::npos;
  if (!has_port) host += scheme == "https" ? ":443" : ":80";
  return scheme + "://" + host;
}

std::string with_query(const std::string& url, const std::string& query) {
  return url + (url.find('?') == std::string::npos ? "?" : "&") + query;
}

}  // namespace

bool is_insecure_registry(std::string_view registry) {
  std::string_view host = registry;
  if (host.starts_with("[")) {
    host = host.substr(0, host.find(']') + 1);
  } else {
    host = host.substr(0, host.find(':'));
  }
  if (host == "localhost" || host == "127.0.0.1" || host == "[::1]") return true;
  const char* env = std::getenv("LMP_INSECURE_REGISTRIES");
  std::string_view list = env ? env : "";
  while (!list.empty()) {
    std::size_t comma = list.find(',');
    std::string_view item = list.substr(0, comma);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
    if (!item.empty() && item == registry) return true;
    if (comma == std::string_view::npos) break;
    list.remove_prefix(comma + 1);
  }
  return false;
}

std::string registry_base_url(std::string_view registry) {
  std::string host(registry);
  if (host == "docker.io" || host == "index.docker.io") host = "registry-1.docker.io";
  return (is_insecure_registry(registry) ? "http://" : "https://") + host;
}

std::string repository_scope(const std::string& repository, bool push) {
  return "repository:" + repository + (push ? ":pull,push" : ":pull");
}

OciClient::OciClient(OciTransport& transport, std::string registry,
                     std::optional<Credentials> credentials)
    : transport_(transport),
      registry_(std::move(registry)),
      base_url_(registry_base_url(registry_)),
      credentials_(std::move(credentials)) {}

Result<std::string> OciClient::authorize(const HttpResponse& response, const std::string& scope) {
  std::string header = response.header("www-authenticate");
  if (header.empty())
    return fail(ExitCode::kNetwork, registry_ + " answered 401 without a WWW-Authenticate header");
  auto challenges = LMP_TRY(parse_www_authenticate(header));
  const AuthChallenge* bearer = nullptr;
  const AuthChallenge* basic = nullptr;
  for (const auto& c : challenges) {
    if (c.scheme == "bearer" && !bearer) bearer = &c;
    if (c.scheme == "basic" && !basic) basic = &c;
  }
  std::string login_hint = "run 'lmp login " + registry_ + "'";
  if (bearer) {
    if (bearer->param("realm").empty())
      return fail(ExitCode::kNetwork, registry_ + ": Bearer challenge without a realm");
    HttpRequest token;
    token.url = token_url(*bearer, scope.empty() ? bearer->param("scope") : scope);
    // The password goes to the token service the registry names, but never in clear text
    // when the registry itself is spoken to over https.
    if (base_url_.starts_with("https:") && !token.url.starts_with("https:"))
      return fail(ExitCode::kNetwork, registry_ + " names a plain-http token service (" +
                                          escape_text(bearer->param("realm")) +
                                          "); refusing to send credentials");
    token.max_body_bytes = 64 * 1024;
    if (credentials_) token.headers["Authorization"] = basic_authorization(*credentials_);
    HttpResponse got = LMP_TRY(transport_.send(token));
    if (got.status == 401 || got.status == 403) {
      if (credentials_)
        return fail(ExitCode::kPermission, registry_ + " rejected the user name or password",
                    login_hint + " again");
      return fail(ExitCode::kPermission, registry_ + ": authentication required", login_hint);
    }
    if (got.status != 200)
      return fail(ExitCode::kNetwork, "token service " + escape_text(bearer->param("realm")) +
                                          ": HTTP " + std::to_string(got.status));
    return "Bearer " + LMP_TRY(parse_token_response(got.body));
  }
  if (basic) {
    if (!credentials_)
      return fail(ExitCode::kPermission, registry_ + ": authentication required", login_hint);
    return basic_authorization(*credentials_);
  }
  return fail(ExitCode::kNetwork, registry_ + " asks for an unsupported authentication scheme '" +
                                      escape_text(challenges.front().scheme) + "'");
}

Result<HttpResponse> OciClient::send(HttpRequest request, const std::string& scope) {
  if (base_url_.starts_with("https:") && !request.url.starts_with("https:"))
    return fail(ExitCode::kNetwork, registry_ + " sent lmp to " + escape_text(request.url) +
                                        ": refusing to go from https to plain http");
  if (origin_of(request.url) != origin_of(base_url_)) {
    // An upload Location on another host or port (blob storage): the registry's
    // credentials and tokens are not for it, and its 401 is not answered.
    request.headers.erase("Authorization");
    log::debug(request.method + " " + request.url + ": another origin, sent without credentials");
    return transport_.send(request);
  }
  if (auto it = authorization_.find(scope); it != authorization_.end())
    request.headers["Authorization"] = it->second;
  HttpResponse response = LMP_TRY(transport_.send(request));
  if (response.status != 401) return response;
  bool had_authorization = request.headers.contains("Authorization");
  std::string authorization = LMP_TRY(authorize(response, scope));
  if (had_authorization && request.headers["Authorization"] == authorization)
    return response;  // the same answer again would not help
  authorization_[scope] = authorization;
  request.headers["Authorization"] = authorization;
  return transport_.send(request);
}

std::unexpected<Error> OciClient::status_error(const HttpRequest& request,
                                               const HttpResponse& response,
                                               const std::string& what) const {
  std::string detail = registry_error_text(response.body);
  std::string msg = what + ": HTTP " + std::to_string(response.status);
  if (!detail.empty()) msg += " (" + detail + ")";
  log::debug(request.method + " " + request.url + " -> " + std::to_string(response.status));
  if (response.status == 401) {
    if (credentials_)
      return fail(ExitCode::kPermission, registry_ + " rejected the user name or password",
                  "run 'lmp login " + registry_ + "' again");
    return fail(ExitCode::kPermission, what + ": authentication required",
                "run 'lmp login " + registry_ + "'");
  }
  if (response.status == 403)
    return fail(ExitCode::kPermission, what + ": access denied by " + registry_,
                "check that your account may access this repository");
  if (response.status == 404) return fail(ExitCode::kNotFound, msg);
  return fail(ExitCode::kNetwork, msg);
}

std::string OciClient::resolve_location(const HttpResponse& response) const {
  std::string location = response.header("location");
  if (location.starts_with("http://") || location.starts_with("https://")) return location;
  if (!location.starts_with("/")) location = "/" + location;
  return base_url_ + location;
}

Result<void> OciClient::check_login() {
  HttpRequest req;
  req.url = base_url_ + "/v2/";
  HttpResponse got = LMP_TRY(send(req, ""));
  if (got.status == 200) return {};
  return status_error(req, got, "GET " + req.url);
}

Result<FetchedManifest> OciClient::fetch_manifest(const std::string& repository,
                                                  const std::string& ref) {
  HttpRequest req;
  req.url = base_url_ + "/v2/" + repository + "/manifests/" + ref;
  req.headers["Accept"] = manifest_accept_header();
  req.max_body_bytes = kMaxManifestBytes;
  std::string where = registry_ + "/" + repository + (is_digest_ref(ref) ? "@" : ":") + ref;
  HttpResponse got = LMP_TRY(send(req, repository_scope(repository, false)));
  if (got.status == 404) {
    std::string said = registry_error_text(got.body);
    return fail(
        ExitCode::kNotFound, where + ": not found in the registry",
        "check the repository and tag" + (said.empty() ? "" : "; the registry said " + said));
  }
  if (got.status != 200) return status_error(req, got, where);
  FetchedManifest m;
  m.digest = "sha256:" + sha256_hex(got.body);
  m.media_type = got.header("content-type");
  if (is_digest_ref(ref) && ref != m.digest)
    return fail(ExitCode::kNetwork, where + ": manifest digest mismatch (got " + m.digest + ")");
  std::string claimed = got.header("docker-content-digest");
  if (claimed.starts_with("sha256:") && claimed != m.digest)
    return fail(ExitCode::kNetwork,
                where + ": manifest does not match its Docker-Content-Digest " + claimed);
  m.body = std::move(got.body);
  return m;
}

Result<Download> OciClient::fetch_blob(const std::string& repository, const OciDescriptor& blob,
                                       const std::filesystem::path& dest, std::string_view label) {
  if (blob.size > max_download_bytes())
    return fail(ExitCode::kBadPackage,
                registry_ + "/" + repository + "@" + blob.digest + ": the manifest lists " +
                    std::to_string(blob.size) + " bytes, more than the limit of " +
                    std::to_string(max_download_bytes()),
                "LMP_MAX_DOWNLOAD_BYTES raises the limit");
  HttpRequest req;
  req.url = base_url_ + "/v2/" + repository + "/blobs/" + blob.digest;
  req.body_file = dest;
  req.max_body_bytes = blob.size;  // not one byte more than the descriptor says
  req.progress_label = std::string(label);
  HttpResponse got = LMP_TRY(send(req, repository_scope(repository, false)));
  std::string where = registry_ + "/" + repository + "@" + blob.digest;
  if (got.status != 200) return status_error(req, got, where);
  if (got.file.size != blob.size || got.file.sha256 != blob.sha256_hex())
    return fail(ExitCode::kNetwork,
                where + ": blob does not match its digest (expected " + std::to_string(blob.size) +
                    " bytes, got " + std::to_string(got.file.size) + " bytes, sha256 " +
                    got.file.sha256 + ")",
                "the registry is inconsistent or the download was tampered with; nothing was "
                "cached");
  return got.file;
}

Result<bool> OciClient::has_blob(const std::string& repository, const std::string& digest) {
  HttpRequest req;
  req.method = "HEAD";
  req.url = base_url_ + "/v2/" + repository + "/blobs/" + digest;
  HttpResponse got = LMP_TRY(send(req, repository_scope(repository, true)));
  if (got.status == 200) return true;
  if (got.status == 404) return false;
  return status_error(req, got, "HEAD " + req.url);
}

Result<void> OciClient::push_blob(const std::string& repository, const std::string& digest,
                                  std::string_view content) {
  if (LMP_TRY(has_blob(repository, digest))) return {};
  std::string scope = repository_scope(repository, true);
  std::string where = "upload to " + registry_ + "/" + repository;
  HttpRequest start;
  start.method = "POST";
  start.url = base_url_ + "/v2/" + repository + "/blobs/uploads/";
  HttpResponse got = LMP_TRY(send(start, scope));
  if (got.status != 202 || got.header("location").empty()) return status_error(start, got, where);
  std::string location = resolve_location(got);
  std::size_t offset = 0;
  if (content.size() > chunk_bytes_) {
    while (offset < content.size()) {
      std::size_t n = std::min(chunk_bytes_, content.size() - offset);
      HttpRequest patch;
      patch.method = "PATCH";
      patch.url = location;
      patch.body = std::string(content.substr(offset, n));
      patch.headers["Content-Type"] = "application/octet-stream";
      patch.headers["Content-Range"] =
          std::to_string(offset) + "-" + std::to_string(offset + n - 1);
      got = LMP_TRY(send(patch, scope));
      if (got.status != 202) return status_error(patch, got, where + " (chunk)");
      if (!got.header("location").empty()) location = resolve_location(got);
      offset += n;
    }
  }
  HttpRequest put;
  put.method = "PUT";
  put.url = with_query(location, "digest=" + url_encode(digest));
  put.body = std::string(content.substr(offset));
  put.headers["Content-Type"] = "application/octet-stream";
  got = LMP_TRY(send(put, scope));
  if (got.status != 201) return status_error(put, got, where);
  return {};
}

Result<std::string> OciClient::push_manifest(const std::string& repository, const std::string& tag,
                                             const std::string& body, std::string_view media_type) {
  HttpRequest put;
  put.method = "PUT";
  put.url = base_url_ + "/v2/" + repository + "/manifests/" + tag;
  put.body = body;
  put.headers["Content-Type"] = std::string(media_type);
  HttpResponse got = LMP_TRY(send(put, repository_scope(repository, true)));
  if (got.status != 201 && got.status != 200)
    return status_error(put, got, "push manifest " + registry_ + "/" + repository + ":" + tag);
  return "sha256:" + sha256_hex(body);
}

}  // namespace lmp::registry
