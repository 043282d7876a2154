// The client side of lmp-hub's JSON API (docs/hub.md): recognising a hub, logging in and
// out, publishing, yanking, searching and package details. Every request goes through
// OciTransport, the HTTP test seam.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/result.h"
#include "registry/oci_transport.h"

namespace lmp::registry {

// True for "http://..." and "https://...": `lmp login` treats such an argument as a hub and
// anything else as an OCI registry.
bool is_hub_url(std::string_view text);

// The key a hub is stored under: the URL without trailing '/', scheme and host lowercase.
std::string normalize_hub_url(std::string_view url);

// The hub `lmp publish` and `lmp yank` talk to: LMP_HUB when set, else the hub logged in to
// last. None: kUsage with the hint to log in or set LMP_HUB.
Result<std::string> current_hub(const std::filesystem::path& home);

// The API token for `hub`: LMP_HUB_TOKEN when set (CI), else the one `lmp login` stored.
// None: kPermission with the hint to log in.
Result<std::string> hub_token(const std::filesystem::path& home, const std::string& hub);

struct HubInfo {
  std::string version;  // of the server
  int api = 0;
  bool registration = false;
};

struct HubLogin {
  std::string token;  // secret: never printed
  std::string user;
};

// One file of a publish upload; `name` is the file name and the multipart part's name.
struct HubFile {
  std::string name;
  std::string content;
};

struct Published {
  std::string name;
  std::string version;
  std::string url;  // the version's page
};

// A row of the hub's search answer.
struct HubSummary {
  std::string name;
  std::string latest;
  std::string description;
  std::string summary;
  std::vector<std::string> tags;
  std::uint64_t downloads = 0;
};

struct HubVersion {
  std::string version;
  std::string published;  // RFC 3339
  std::string publisher;
  bool yanked = false;
  std::uint64_t downloads = 0;
};

// What GET /api/v1/packages/NAME says beyond index.json.
struct HubPackage {
  std::string name;
  std::string latest;
  std::vector<std::string> owners;
  std::uint64_t downloads = 0;
  std::uint64_t downloads_30d = 0;
  std::vector<HubVersion> versions;  // as the hub orders them
};

struct HubSearch {
  std::uint64_t total = 0;
  std::vector<HubSummary> packages;  // the first page
};

class HubClient {
 public:
  // `url` is the hub's base URL; `token` authenticates the calls that need one.
  HubClient(OciTransport& transport, std::string url, std::string token = {});

  const std::string& url() const { return url_; }

  // GET /api/v1/info. kNotFound "URL is not an lmp hub" when the answer is not a hub's.
  Result<HubInfo> info();

  // POST /api/v1/login. A wrong password is kPermission; too many tries kPermission with
  // the hint when to retry (Retry-After).
  Result<HubLogin> login(const std::string& user, const std::string& password,
                         const std::string& token_name);

  // POST /api/v1/logout: revokes the client's token.
  Result<void> logout();

  // POST /api/v1/packages as multipart/form-data. A progress bar named `progress_label`
  // follows the upload when the label is not empty.
  Result<Published> publish(const std::vector<HubFile>& files,
                            const std::string& progress_label = {});

  // PUT (yank) or DELETE (`undo`) /api/v1/packages/NAME/versions/VERSION/yank.
  Result<void> yank(const std::string& name, const std::string& version, bool undo);

  // GET /api/v1/packages?q=WORDS (no words: all, most downloaded first).
  Result<HubSearch> search(const std::vector<std::string>& words);

  // GET /api/v1/packages/NAME.
  Result<HubPackage> package(const std::string& name);

 private:
  // Sends `request` with the JSON and token headers.
  Result<HttpResponse> send(HttpRequest request);
  // The JSON object of a 2xx answer; other statuses become hub_error(what).
  Result<nlohmann::json> answer_of(const HttpResponse& response, const std::string& what);
  // send() then answer_of().
  Result<nlohmann::json> call(HttpRequest request, const std::string& what);

  OciTransport& transport_;
  std::string url_;
  std::string token_;
};

// Whether the repository at `base_url` is a hub, asked (GET BASE/api/v1/info) once per
// process and URL. Not http(s), unreachable or not a hub: false.
bool is_hub_repository(OciTransport& transport, const std::string& base_url);

// A multipart/form-data body: one part per file, named (and file-named) by its name.
std::string multipart_body(const std::vector<HubFile>& files, std::string_view boundary);

// A random boundary that occurs in none of the files.
std::string multipart_boundary(const std::vector<HubFile>& files);

// A hub's error answer ({"error", "hint"}) as one Error, prefixed with what was asked.
// 401 -> kPermission (hint: log in), 403 -> kPermission, 404 -> kNotFound,
// 409 -> kConflict, 400/413 -> kBadPackage, 429 -> kPermission (hint: when to retry),
// anything else kNetwork.
Error hub_error(const HttpResponse& response, std::string_view what, std::string_view hub);

}  // namespace lmp::registry
