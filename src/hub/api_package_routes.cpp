// /api/v1/packages..., /api/v1/users/NAME and /api/v1/categories (docs/hub.md).
#include <httplib.h>

#include <algorithm>
#include <charconv>

#include "hub/api_json.h"
#include "hub/api_support.h"
#include "hub/download_counter.h"
#include "hub/publish.h"
#include "registry/semver.h"

namespace lmp::hub {
namespace {

using httplib::Request;
using httplib::Response;
using nlohmann::json;

UnixDay today() {
  return unix_day(unix_now());
}

// An integer query parameter within [min, max]; `fallback` when absent; nullopt after a 400.
std::optional<int> int_param(const Request& req, Response& res, const char* key, int fallback,
                             int min, int max) {
  if (!req.has_param(key)) return fallback;
  std::string text = req.get_param_value(key);
  int value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value < min || value > max) {
    send_error(res, 400,
               std::string(key) + ": '" + text + "' is not a number in " + std::to_string(min) +
                   ".." + std::to_string(max));
    return std::nullopt;
  }
  return value;
}

// The version NAME resolves to: the highest non-yanked release, else prerelease.
std::string latest_of(const PackageRecord& package) {
  std::vector<std::string> versions;
  for (const VersionRecord& v : package.versions)
    if (!v.yanked) versions.push_back(v.version);
  return registry::highest_version(versions);
}

// Flushes pending download counts so that totals include the last second.
void flush_downloads(HubContext& hub) {
  (void)hub.downloads.flush();
}

// The user may change the package: an owner or an admin. Answers 403/404 otherwise.
bool may_manage(HubContext& hub, Response& res, const User& user, const std::string& package) {
  if (user.admin) return true;
  auto owner = hub.storage.is_owner(package, user.id);
  if (!owner) {
    send_failure(hub, res, owner.error());
    return false;
  }
  if (!*owner) {
    send_error(res, 403, user.name + " is not an owner of '" + package + "'",
               "ask an owner to add you");
    return false;
  }
  return true;
}

void publish(HubContext& hub, const Request& req, Response& res,
             const httplib::ContentReader& reader) {
  // Until the body is read, an answer closes the connection (the unread body must not be
  // taken for the next request).
  res.set_header("Connection", "close");
  auto user = authenticate(hub, req, res);
  if (!user) return;
  // httplib would read and discard an oversized body before answering: refuse it unread.
  if (req.get_header_value<std::uint64_t>("Content-Length") > kMaxUploadBytes) {
    return send_error(res, 413, "the upload is larger than 64 MiB", "docs/hub.md lists the limits");
  }
  if (!req.is_multipart_form_data())
    return send_error(res, 400, "a publish is multipart/form-data",
                      "one part per file, named package.json, app.wasm, config.json, README.md");
  std::map<std::string, std::string> files;
  std::string* current = nullptr;
  std::string duplicate;
  bool read = reader(
      [&](const httplib::MultipartFormData& part) {
        auto [it, fresh] = files.emplace(part.name, std::string());
        if (!fresh) duplicate = part.name;
        current = &it->second;
        current->clear();
        return true;
      },
      [&](const char* data, std::size_t size) {
        current->append(data, size);
        return true;
      });
  if (!read) {  // the client went away or sent a broken body: nothing is stored
    if (res.status == 413) send_error(res, 413, "the upload is larger than 64 MiB");
    return;
  }
  res.headers.erase("Connection");
  if (!duplicate.empty()) return send_error(res, 400, "the file " + duplicate + " was sent twice");
  auto published = publish_upload(hub.storage, hub.blobs, *user, files);
  if (!published) return send_failure(hub, res, published.error());
  json file_list = json::array();
  for (const StoredFile& f : published->files) file_list.push_back(file_json(f));
  send_json(res, 201,
            {{"name", published->name},
             {"version", published->version},
             {"url", hub.public_url + "/p/" + published->name + "/" + published->version},
             {"files", std::move(file_list)}});
}

void list_packages(HubContext& hub, const Request& req, Response& res) {
  PackageQuery query;
  query.text = req.get_param_value("q");
  query.category = req.get_param_value("category");
  query.program_type = req.get_param_value("type");
  query.owner = req.get_param_value("owner");
  std::string sort = req.has_param("sort") ? req.get_param_value("sort") : "relevance";
  if (sort == "relevance")
    query.sort = SortOrder::kRelevance;
  else if (sort == "downloads")
    query.sort = SortOrder::kDownloads;
  else if (sort == "updated")
    query.sort = SortOrder::kUpdated;
  else if (sort == "name")
    query.sort = SortOrder::kName;
  else
    return send_error(res, 400,
                      "sort: '" + sort + "' is not relevance, downloads, updated or name");
  auto page = int_param(req, res, "page", 1, 1, 1000000);
  if (!page) return;
  auto per_page = int_param(req, res, "per_page", 20, 1, 100);
  if (!per_page) return;
  query.page = *page;
  query.per_page = *per_page;
  flush_downloads(hub);
  auto found = hub.storage.list_packages(query, today());
  if (!found) return send_failure(hub, res, found.error());
  json packages = json::array();
  for (const PackageSummary& s : found->packages) packages.push_back(summary_json(s));
  send_json(res, 200,
            {{"total", found->total},
             {"page", query.page},
             {"per_page", query.per_page},
             {"packages", std::move(packages)}});
}

void package_page(HubContext& hub, const Request& req, Response& res) {
  std::string name = req.matches[1];
  flush_downloads(hub);
  auto package = hub.storage.package(name, today());
  if (!package) return send_failure(hub, res, package.error());
  if (!*package)
    return send_error(res, 404, "no package '" + name + "'", "search with GET /api/v1/packages?q=");
  send_json(res, 200, package_json(**package, latest_of(**package)));
}

void downloads(HubContext& hub, const Request& req, Response& res) {
  auto days = int_param(req, res, "days", 30, 1, 366);
  if (!days) return;
  flush_downloads(hub);
  auto counts = hub.storage.downloads_by_day(req.matches[1], today(), *days);
  if (!counts) return send_failure(hub, res, counts.error());
  json list = json::array();
  for (const DayCount& c : *counts) list.push_back({{"date", day_text(c.day)}, {"count", c.count}});
  send_json(res, 200, {{"days", std::move(list)}});
}

void set_yanked(HubContext& hub, const Request& req, Response& res, bool yanked) {
  auto user = authenticate(hub, req, res);
  if (!user || !may_manage(hub, res, *user, req.matches[1])) return;
  if (auto done = hub.storage.set_yanked(req.matches[1], req.matches[2], yanked); !done)
    return send_failure(hub, res, done.error());
  send_json(res, 200, json::object());
}

void yank(HubContext& hub, const Request& req, Response& res) {
  set_yanked(hub, req, res, true);
}
void unyank(HubContext& hub, const Request& req, Response& res) {
  set_yanked(hub, req, res, false);
}

void owners(HubContext& hub, const Request& req, Response& res) {
  std::string name = req.matches[1];
  auto package = hub.storage.package(name, today());
  if (!package) return send_failure(hub, res, package.error());
  if (!*package) return send_error(res, 404, "no package '" + name + "'");
  send_json(res, 200, {{"owners", (*package)->owners}});
}

void change_owner(HubContext& hub, const Request& req, Response& res, bool add) {
  auto user = authenticate(hub, req, res);
  if (!user || !may_manage(hub, res, *user, req.matches[1])) return;
  auto done = add ? hub.storage.add_owner(req.matches[1], req.matches[2])
                  : hub.storage.remove_owner(req.matches[1], req.matches[2]);
  if (!done) return send_failure(hub, res, done.error());
  send_json(res, 200, json::object());
}

void add_owner(HubContext& hub, const Request& req, Response& res) {
  change_owner(hub, req, res, true);
}
void remove_owner(HubContext& hub, const Request& req, Response& res) {
  change_owner(hub, req, res, false);
}

void user_page(HubContext& hub, const Request& req, Response& res) {
  std::string name = req.matches[1];
  auto user = hub.storage.find_user(name);
  if (!user) return send_failure(hub, res, user.error());
  if (!*user) return send_error(res, 404, "no user '" + name + "'");
  PackageQuery query;
  query.owner = name;
  query.sort = SortOrder::kName;
  query.per_page = 100;
  flush_downloads(hub);
  auto found = hub.storage.list_packages(query, today());
  if (!found) return send_failure(hub, res, found.error());
  json packages = json::array();
  for (const PackageSummary& s : found->packages) packages.push_back(summary_json(s));
  send_json(res, 200,
            {{"user", public_user_json((*user)->user)}, {"packages", std::move(packages)}});
}

void categories(HubContext& hub, const Request&, Response& res) {
  auto categories = hub.storage.categories();
  if (!categories) return send_failure(hub, res, categories.error());
  auto types = hub.storage.program_types();
  if (!types) return send_failure(hub, res, types.error());
  auto list = [](const std::vector<std::pair<std::string, std::int64_t>>& counts) {
    json out = json::array();
    for (const auto& [name, count] : counts) out.push_back({{"name", name}, {"count", count}});
    return out;
  };
  send_json(res, 200, {{"categories", list(*categories)}, {"program_types", list(*types)}});
}

}  // namespace

void add_package_api_routes(httplib::Server& server, HubContext& hub) {
  auto route = [&hub](auto handler) -> httplib::Server::Handler {
    return [&hub, handler](const Request& req, Response& res) { handler(hub, req, res); };
  };
  const std::string kPackage = "/api/v1/packages/([^/]+)";
  server.Post("/api/v1/packages",
              [&hub](const Request& req, Response& res, const httplib::ContentReader& reader) {
                publish(hub, req, res, reader);
              });
  server.Get("/api/v1/packages", route(list_packages));
  server.Get(kPackage, route(package_page));
  server.Get(kPackage + "/downloads", route(downloads));
  server.Put(kPackage + "/versions/([^/]+)/yank", without_body(hub, yank));
  server.Delete(kPackage + "/versions/([^/]+)/yank", route(unyank));
  server.Get(kPackage + "/owners", route(owners));
  server.Put(kPackage + "/owners/([^/]+)", without_body(hub, add_owner));
  server.Delete(kPackage + "/owners/([^/]+)", route(remove_owner));
  server.Get("/api/v1/users/([^/]+)", route(user_page));
  server.Get("/api/v1/categories", route(categories));
}

}  // namespace lmp::hub
