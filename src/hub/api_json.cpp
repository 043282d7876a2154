#include "hub/api_json.h"

#include <httplib.h>

#include <ctime>

namespace lmp::hub {

using nlohmann::json;

namespace {

std::string utc_text(UnixTime time, const char* format) {
  std::time_t t = static_cast<std::time_t>(time);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buffer[64];
  std::size_t n = std::strftime(buffer, sizeof(buffer), format, &tm);
  return std::string(buffer, n);
}

}  // namespace

std::string rfc3339(UnixTime time) {
  return time == 0 ? "" : utc_text(time, "%Y-%m-%dT%H:%M:%SZ");
}

std::string day_text(UnixDay day) {
  return utc_text(day * 86400, "%Y-%m-%d");
}

json user_json(const User& user) {
  return {{"name", user.name},
          {"email", user.email},
          {"admin", user.admin},
          {"created", rfc3339(user.created)}};
}

json public_user_json(const User& user) {
  return {{"name", user.name}, {"created", rfc3339(user.created)}};
}

json summary_json(const PackageSummary& s) {
  return {{"name", s.name},
          {"latest", s.latest},
          {"description", s.description},
          {"summary", s.summary},
          {"author", s.author},
          {"category", s.category},
          {"tags", s.tags},
          {"program_types", s.program_types},
          {"has_package_json", s.has_package_json},
          {"has_app_wasm", s.has_app_wasm},
          {"updated", rfc3339(s.updated)},
          {"downloads", s.downloads},
          {"downloads_30d", s.downloads_30d}};
}

json file_json(const StoredFile& file) {
  return {{"name", file.name}, {"sha256", file.sha256}, {"size", file.size}};
}

json signature_json(const VersionRecord& version) {
  if (version.signer_key.empty()) return nullptr;
  return {{"key", version.signer_key}, {"key_name", version.signer_name}};
}

json package_json(const PackageRecord& package, const std::string& latest) {
  json versions = json::array();
  const VersionRecord* shown = nullptr;
  for (const VersionRecord& v : package.versions) {
    json files = json::array();
    for (const StoredFile& f : v.files) files.push_back(file_json(f));
    versions.push_back({{"version", v.version},
                        {"published", rfc3339(v.published)},
                        {"publisher", v.publisher},
                        {"yanked", v.yanked},
                        {"downloads", v.downloads},
                        {"signature", signature_json(v)},
                        {"files", std::move(files)}});
    if (v.version == latest) shown = &v;
  }
  if (!shown && !package.versions.empty()) shown = &package.versions.front();
  json out = {{"name", package.name},
              {"owners", package.owners},
              {"created", rfc3339(package.created)},
              {"updated", rfc3339(package.updated)},
              {"downloads", package.downloads},
              {"downloads_30d", package.downloads_30d},
              {"latest", latest},
              {"versions", std::move(versions)}};
  if (shown) {
    json details = json::parse(shown->details, nullptr, false);
    out["version"] = shown->version;
    out["description"] = shown->description;
    out["summary"] = shown->summary;
    out["author"] = shown->author;
    out["license"] = shown->license;
    out["category"] = shown->category;
    out["tags"] = shown->tags;
    out["homepage"] = shown->homepage;
    out["program_types"] = shown->program_types;
    out["signature"] = signature_json(*shown);
    out["readme"] = shown->readme;
    out["details"] = details.is_discarded() ? json::object() : details;
  }
  return out;
}

void send_json(httplib::Response& response, int status, const json& body) {
  response.status = status;
  response.set_content(body.dump(), "application/json");
}

void send_error(httplib::Response& response, int status, const std::string& error,
                const std::string& hint) {
  send_json(response, status, {{"error", error}, {"hint", hint}});
}

}  // namespace lmp::hub
