#include "registry/hub_client.h"

#include <cstdlib>
#include <map>
#include <mutex>
#include <random>

#include "common/log.h"
#include "common/text_escape.h"
#include "registry/credentials.h"
#include "registry/oci_auth.h"

namespace lmp::registry {
namespace {

using nlohmann::json;

// Answers of the JSON API are small; a package's details carry its README (1 MiB at most).
inline constexpr std::size_t kMaxAnswerBytes = 8u * 1024 * 1024;

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string text(const json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

std::uint64_t count(const json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_number_unsigned() ? it->get<std::uint64_t>() : 0;
}

std::vector<std::string> strings(const json& j, const char* key) {
  std::vector<std::string> out;
  auto it = j.find(key);
  if (it == j.end() || !it->is_array()) return out;
  for (const auto& v : *it) {
    if (v.is_string()) out.push_back(v.get<std::string>());
    if (v.is_object() && !text(v, "name").empty()) out.push_back(text(v, "name"));
  }
  return out;
}

std::string content_type_of(std::string_view file_name) {
  if (file_name.ends_with(".json")) return "application/json";
  if (file_name.ends_with(".wasm")) return "application/wasm";
  if (file_name.ends_with(".md")) return "text/markdown";
  return "application/octet-stream";
}

// "in 12 minutes" from a Retry-After of seconds; empty when absent or a date.
std::string retry_after_text(const std::string& header) {
  if (header.empty() || header.find_first_not_of("0123456789") != std::string::npos) return {};
  unsigned long seconds = std::strtoul(header.c_str(), nullptr, 10);
  if (seconds < 120) return "in " + std::to_string(seconds) + " seconds";
  return "in " + std::to_string((seconds + 59) / 60) + " minutes";
}

}  // namespace

bool is_hub_url(std::string_view text) {
  std::string head = lower(text.substr(0, 8));
  return head.starts_with("http://") || head.starts_with("https://");
}

std::string normalize_hub_url(std::string_view url) {
  std::size_t scheme = url.find("://");
  std::size_t host_end = scheme == std::string_view::npos ? 0 : url.find('/', scheme + 3);
  if (host_end == std::string_view::npos) host_end = url.size();
  std::string out = lower(url.substr(0, host_end)) + std::string(url.substr(host_end));
  while (out.ends_with('/')) out.pop_back();
  return out;
}

Result<std::string> current_hub(const std::filesystem::path& home) {
  if (const char* env = std::getenv("LMP_HUB"); env && *env) {
    if (!is_hub_url(env))
      return fail(ExitCode::kUsage, std::string("LMP_HUB='") + env + "' is not an http(s) URL",
                  "set it to the hub's base URL, e.g. https://hub.example.org");
    return normalize_hub_url(env);
  }
  if (auto last = LMP_TRY(last_hub(home))) return *last;
  return fail(ExitCode::kUsage, "no hub to talk to", "run 'lmp login HUB_URL' or set LMP_HUB");
}

Result<std::string> hub_token(const std::filesystem::path& home, const std::string& hub) {
  if (const char* env = std::getenv("LMP_HUB_TOKEN"); env && *env) return std::string(env);
  if (auto stored = LMP_TRY(find_hub_token(home, hub))) return stored->token;
  return fail(ExitCode::kPermission, "not logged in to " + hub, "run 'lmp login " + hub + "'");
}

Error hub_error(const HttpResponse& response, std::string_view what, std::string_view hub) {
  json body = json::parse(response.body, nullptr, false);
  std::string message, hint;
  if (body.is_object()) {  // the hub's words, printed to a terminal: escaped, and short
    message = escape_text(text(body, "error").substr(0, 1000));
    hint = escape_text(text(body, "hint").substr(0, 1000));
  }
  if (message.empty()) message = "HTTP " + std::to_string(response.status);
  ExitCode code = ExitCode::kNetwork;
  switch (response.status) {
    case 400:
    case 413:
      code = ExitCode::kBadPackage;
      break;
    case 401:
      code = ExitCode::kPermission;
      hint = "run 'lmp login " + std::string(hub) + "'";
      break;
    case 403:
      code = ExitCode::kPermission;
      break;
    case 404:
      code = ExitCode::kNotFound;
      break;
    case 409:
      code = ExitCode::kConflict;
      break;
    case 429: {
      code = ExitCode::kPermission;
      std::string when = retry_after_text(response.header("retry-after"));
      hint = when.empty() ? "try again later" : "try again " + when;
      break;
    }
    default:
      break;
  }
  return Error{code, std::string(what) + ": " + message, hint};
}

HubClient::HubClient(OciTransport& transport, std::string url, std::string token)
    : transport_(transport), url_(normalize_hub_url(url)), token_(std::move(token)) {}

Result<HttpResponse> HubClient::send(HttpRequest request) {
  request.headers["Accept"] = "application/json";
  if (!token_.empty()) request.headers["Authorization"] = "Bearer " + token_;
  if (!request.body.empty() && !request.headers.contains("Content-Type"))
    request.headers["Content-Type"] = "application/json";
  request.max_body_bytes = kMaxAnswerBytes;
  return transport_.send(request);
}

Result<json> HubClient::answer_of(const HttpResponse& response, const std::string& what) {
  if (response.status < 200 || response.status >= 300)
    return std::unexpected(hub_error(response, what, url_));
  if (response.body.empty()) return json::object();
  json answer = json::parse(response.body, nullptr, false);
  if (answer.is_discarded() || !answer.is_object())
    return fail(ExitCode::kNetwork, what + ": the hub's answer is not a JSON object",
                "is " + url_ + " an lmp hub?");
  return answer;
}

Result<json> HubClient::call(HttpRequest request, const std::string& what) {
  HttpResponse response = LMP_TRY(send(std::move(request)));
  return answer_of(response, what);
}

Result<HubInfo> HubClient::info() {
  HttpRequest request;
  request.url = url_ + "/api/v1/info";
  request.max_body_bytes = 64 * 1024;
  HttpResponse response = LMP_TRY(transport_.send(request));
  json body = json::parse(response.body, nullptr, false);
  if (response.status != 200 || !body.is_object() || text(body, "server") != "lmp-hub")
    return fail(ExitCode::kNotFound, url_ + " is not an lmp hub",
                "for an OCI registry use 'lmp login HOST' without http(s)://");
  HubInfo info;
  info.version = text(body, "version");
  if (auto api = body.find("api"); api != body.end() && api->is_number_integer())
    info.api = api->get<int>();
  if (auto reg = body.find("registration"); reg != body.end() && reg->is_boolean())
    info.registration = reg->get<bool>();
  return info;
}

Result<HubLogin> HubClient::login(const std::string& user, const std::string& password,
                                  const std::string& token_name) {
  HttpRequest request;
  request.method = "POST";
  request.url = url_ + "/api/v1/login";
  request.body =
      json{{"username", user}, {"password", password}, {"token_name", token_name}}.dump();
  std::string what = "login to " + url_;
  HttpResponse response = LMP_TRY(send(std::move(request)));
  if (response.status == 401)
    return fail(ExitCode::kPermission, what + " failed: wrong user name or password",
                "nothing was stored");
  json answer = LMP_TRY(answer_of(response, what));
  HubLogin login{text(answer, "token"), text(answer, "user")};
  if (login.token.empty())
    return fail(ExitCode::kNetwork, what + ": the hub's answer has no token");
  if (login.user.empty()) login.user = user;
  return login;
}

Result<void> HubClient::logout() {
  HttpRequest request;
  request.method = "POST";
  request.url = url_ + "/api/v1/logout";
  request.body = "{}";
  LMP_TRY(call(request, "logout from " + url_));
  return {};
}

Result<Published> HubClient::publish(const std::vector<HubFile>& files,
                                     const std::string& progress_label) {
  std::string boundary = multipart_boundary(files);
  HttpRequest request;
  request.method = "POST";
  request.url = url_ + "/api/v1/packages";
  request.headers["Content-Type"] = "multipart/form-data; boundary=" + boundary;
  request.body = multipart_body(files, boundary);
  request.upload_label = progress_label;
  json answer = LMP_TRY(call(std::move(request), "publishing to " + url_));
  Published published{text(answer, "name"), text(answer, "version"), text(answer, "url")};
  if (published.url.empty() && !published.name.empty())
    published.url = url_ + "/p/" + published.name + "/" + published.version;
  return published;
}

Result<void> HubClient::yank(const std::string& name, const std::string& version, bool undo) {
  HttpRequest request;
  request.method = undo ? "DELETE" : "PUT";
  request.url =
      url_ + "/api/v1/packages/" + url_encode(name) + "/versions/" + url_encode(version) + "/yank";
  std::string what =
      std::string(undo ? "unyanking " : "yanking ") + name + ":" + version + " on " + url_;
  LMP_TRY(call(std::move(request), what));
  return {};
}

Result<HubSearch> HubClient::search(const std::vector<std::string>& words) {
  std::string q;
  for (const auto& w : words) q += (q.empty() ? "" : " ") + w;
  HttpRequest request;
  request.url = url_ + "/api/v1/packages?q=" + url_encode(q);
  if (q.empty()) request.url += "&sort=downloads";
  json answer = LMP_TRY(call(std::move(request), "searching " + url_));
  HubSearch result;
  result.total = count(answer, "total");
  if (auto list = answer.find("packages"); list != answer.end() && list->is_array()) {
    for (const auto& p : *list) {
      if (!p.is_object() || text(p, "name").empty()) continue;
      result.packages.push_back({text(p, "name"), text(p, "latest"), text(p, "description"),
                                 text(p, "summary"), strings(p, "tags"), count(p, "downloads")});
    }
  }
  result.total = std::max<std::uint64_t>(result.total, result.packages.size());
  return result;
}

Result<HubPackage> HubClient::package(const std::string& name) {
  HttpRequest request;
  request.url = url_ + "/api/v1/packages/" + url_encode(name);
  json answer = LMP_TRY(call(std::move(request), name + " on " + url_));
  HubPackage pkg;
  pkg.name = text(answer, "name");
  pkg.latest = text(answer, "latest");
  pkg.owners = strings(answer, "owners");
  pkg.downloads = count(answer, "downloads");
  pkg.downloads_30d = count(answer, "downloads_30d");
  if (auto list = answer.find("versions"); list != answer.end() && list->is_array()) {
    for (const auto& v : *list) {
      if (!v.is_object()) continue;
      auto yanked = v.find("yanked");
      pkg.versions.push_back({text(v, "version"), text(v, "published"), text(v, "publisher"),
                              yanked != v.end() && yanked->is_boolean() && yanked->get<bool>(),
                              count(v, "downloads")});
    }
  }
  return pkg;
}

bool is_hub_repository(OciTransport& transport, const std::string& base_url) {
  if (!is_hub_url(base_url)) return false;
  static std::mutex mutex;
  static std::map<std::string, bool> known;
  std::string url = normalize_hub_url(base_url);
  {
    std::lock_guard lock(mutex);
    if (auto it = known.find(url); it != known.end()) return it->second;
  }
  auto info = HubClient(transport, url).info();
  if (!info) log::debug(info.error().message);
  std::lock_guard lock(mutex);
  known[url] = info.has_value();
  return info.has_value();
}

std::string multipart_body(const std::vector<HubFile>& files, std::string_view boundary) {
  std::string body;
  for (const auto& f : files) {
    body += "--" + std::string(boundary) + "\r\n";
    body +=
        "Content-Disposition: form-data; name=\"" + f.name + "\"; filename=\"" + f.name + "\"\r\n";
    body += "Content-Type: " + content_type_of(f.name) + "\r\n\r\n";
    body += f.content;
    body += "\r\n";
  }
  body += "--" + std::string(boundary) + "--\r\n";
  return body;
}

std::string multipart_boundary(const std::vector<HubFile>& files) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::random_device random;
  for (;;) {
    std::string boundary = "lmp-boundary-";
    for (int i = 0; i < 32; ++i) boundary += kHex[random() % 16];
    bool clash = false;
    for (const auto& f : files) clash = clash || f.content.find(boundary) != std::string::npos;
    if (!clash) return boundary;
  }
}

}  // namespace lmp::registry
