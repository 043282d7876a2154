// The web store's routes: thin handlers that read the request and the storage, render a
// page from store_pages.h, and answer with the store's security headers. Every POST needs
// the form's CSRF token; pages that need an account send visitors to /login?next=PATH.
#include <httplib.h>

#include <algorithm>
#include <charconv>
#include <ctime>

#include "common/log.h"
#include "hub/download_counter.h"
#include "hub/server.h"
#include "hub/store_assets.h"
#include "hub/store_pages.h"
#include "hub/store_session.h"

namespace lmp::hub {
namespace {

using httplib::Request;
using httplib::Response;

constexpr int kPerPage = 20;
constexpr int kMaxPage = 10000;
constexpr int kFeedSize = 50;
constexpr int kChartDays = 30;
constexpr std::size_t kMaxTokenName = 100;

// A store handler: the hub and the visit are ready, the answer is the handler's.
using Handler = void (*)(HubContext&, const Request&, Response&, Visit&);

// Wraps a handler; `post` handlers are refused with 403 unless the CSRF token matches.
httplib::Server::Handler page(HubContext& hub, Handler handler, bool post = false) {
  return [&hub, handler, post](const Request& request, Response& response) {
    Visit current = visit(request, response, hub);
    if (post && !csrf_valid(request, current)) {
      return send_error_page(response, current, 403, "Form expired",
                             "This form was missing its security token or it was out of date. "
                             "Go back, reload the page and try again.");
    }
    handler(hub, request, response, current);
  };
}

void send_storage_error(Response& response, const Visit& current, const Error& error) {
  if (error.code == ExitCode::kNotFound) {
    return send_error_page(response, current, 404, "Not found", error.message);
  }
  log::error("store: " + error.message);
  send_error_page(response, current, 500, "Something went wrong",
                  "The hub could not answer this request. Try again in a moment.");
}

UnixTime now() {
  return unix_now();
}

int page_number(const Request& request) {
  std::string text = request.get_param_value("page");
  int page = 1;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), page);
  if (ec != std::errc() || end != text.data() + text.size() || page < 1) return 1;
  return page > kMaxPage ? kMaxPage : page;
}

SortOrder sort_order(std::string_view name) {
  if (name == "downloads") return SortOrder::kDownloads;
  if (name == "updated") return SortOrder::kUpdated;
  if (name == "name") return SortOrder::kName;
  return SortOrder::kRelevance;
}

bool require_session(const Request& request, Response& response, const Visit& current) {
  if (current.session) return true;
  send_redirect(response, "/login?next=" + html::url_encode(request.path));
  return false;
}

void explore(HubContext& hub, const Request& request, Response& response, Visit& current) {
  ExploreView view;
  view.query.text = request.get_param_value("q");
  view.query.category = request.get_param_value("category");
  view.query.program_type = request.get_param_value("type");
  view.query.sort = sort_order(request.get_param_value("sort"));
  view.query.page = page_number(request);
  view.query.per_page = kPerPage;
  view.now = now();
  auto result = hub.storage.list_packages(view.query, unix_day(view.now));
  if (!result) return send_storage_error(response, current, result.error());
  auto categories = hub.storage.categories();
  if (!categories) return send_storage_error(response, current, categories.error());
  auto types = hub.storage.program_types();
  if (!types) return send_storage_error(response, current, types.error());
  view.result = std::move(*result);
  view.categories = std::move(*categories);
  view.program_types = std::move(*types);
  send_html(response, 200, render_explore(view, current.viewer));
}

void user_page_store_routes(HubContext& hub, const Request& request, Response& response,
                            Visit& current) {
  std::string name = request.matches[1];
  auto user = hub.storage.find_user(name);
  if (!user) return send_storage_error(response, current, user.error());
  if (!*user) {
    return send_error_page(response, current, 404, "No such user",
                           "There is no user called “" + name + "”.");
  }
  UserView view;
  view.user = (*user)->user;
  view.now = now();
  PackageQuery query;
  query.owner = name;
  query.sort = SortOrder::kDownloads;
  query.per_page = 100;
  auto packages = hub.storage.list_packages(query, unix_day(view.now));
  if (!packages) return send_storage_error(response, current, packages.error());
  view.packages = std::move(*packages);
  send_html(response, 200, render_user(view, current.viewer));
}

void package_page_store_routes(HubContext& hub, const Request& request, Response& response,
                               Visit& current) {
  std::string name = request.matches[1];
  PackageView view;
  view.now = now();
  view.public_url = hub.public_url;
  (void)hub.downloads.flush();  // show downloads up to this moment; errors are retried later
  auto package = hub.storage.package(name, unix_day(view.now));
  if (!package) return send_storage_error(response, current, package.error());
  if (!*package || (*package)->versions.empty()) {
    return send_error_page(response, current, 404, "Package not found",
                           "There is no package called “" + name + "”. Try searching for it.");
  }
  view.package = std::move(**package);
  const std::vector<VersionRecord>& versions = view.package.versions;
  if (request.matches.size() > 2) {
    std::string version = request.matches[2];
    auto it = std::find_if(versions.begin(), versions.end(),
                           [&](const VersionRecord& v) { return v.version == version; });
    if (it == versions.end()) {
      return send_error_page(response, current, 404, "Version not found",
                             name + " has no version " + version + ".");
    }
    view.version_index = static_cast<std::size_t>(it - versions.begin());
    view.version_chosen = true;
  } else {
    auto latest = std::find_if(versions.begin(), versions.end(),
                               [](const VersionRecord& v) { return !v.yanked; });
    view.version_index =
        latest == versions.end() ? 0 : static_cast<std::size_t>(latest - versions.begin());
  }
  view.tab = parse_package_tab(request.get_param_value("tab")).value_or(PackageTab::kOverview);
  auto downloads = hub.storage.downloads_by_day(name, unix_day(view.now), kChartDays);
  if (!downloads) return send_storage_error(response, current, downloads.error());
  view.downloads = std::move(*downloads);
  auto reports = hub.storage.check_reports(name, versions[view.version_index].version);
  if (!reports) return send_storage_error(response, current, reports.error());
  view.check_reports = std::move(*reports);
  if (current.session) {
    auto owner = hub.storage.is_owner(name, current.session->user.id);
    view.can_yank = current.session->user.admin || (owner && *owner);
  }
  send_html(response, 200, render_package(view, current.viewer));
}

void yank_store_routes(HubContext& hub, const Request& request, Response& response,
                       Visit& current) {
  std::string name = request.matches[1];
  std::string version = request.matches[2];
  bool yanked = request.matches[3] == "yank";
  if (!require_session(request, response, current)) return;
  auto owner = hub.storage.is_owner(name, current.session->user.id);
  if (!owner) return send_storage_error(response, current, owner.error());
  if (!*owner && !current.session->user.admin) {
    return send_error_page(response, current, 403, "Not an owner",
                           "Only the owners of " + name + " can yank or unyank its versions.");
  }
  auto done = hub.storage.set_yanked(name, version, yanked);
  if (!done) return send_storage_error(response, current, done.error());
  send_redirect(response, "/p/" + html::url_encode(name) + "?tab=versions");
}

void login_form(HubContext&, const Request& request, Response& response, Visit& current) {
  if (current.session) return send_redirect(response, "/");
  AccountFormView view;
  if (request.has_param("next")) view.next = local_path_or_root(request.get_param_value("next"));
  send_html(response, 200, render_login(view, current.viewer));
}

// Starts a session for `user` (a new secret at every login) and ends the previous one.
void start_session(HubContext& hub, Response& response, Visit& current, const User& user,
                   const std::string& next) {
  if (!current.session_secret.empty()) (void)hub.accounts.end_session(current.session_secret);
  auto session = hub.accounts.create_session(user);
  if (!session) return send_storage_error(response, current, session.error());
  auto max_age = std::chrono::duration_cast<std::chrono::seconds>(kSessionLifetime).count();
  response.set_header("Set-Cookie", cookie_header(hub, kSessionCookie, session->secret, max_age));
  send_redirect(response, next);
}

void login_store_routes(HubContext& hub, const Request& request, Response& response,
                        Visit& current) {
  AccountFormView view;
  view.username = request.get_param_value("username");
  view.next = local_path_or_root(request.get_param_value("next"));
  auto result = hub.accounts.login(view.username, request.get_param_value("password"),
                                   client_address(request));
  if (!result && result.error().code != ExitCode::kPermission) {
    return send_storage_error(response, current, result.error());
  }
  if (result && result->retry_after.count() > 0) {
    std::int64_t seconds = result->retry_after.count();
    response.set_header("Retry-After", std::to_string(seconds));
    view.error = "Too many failed logins. Try again in " + std::to_string((seconds + 59) / 60) +
                 (seconds > 60 ? " minutes." : " minute.");
    return send_html(response, 429, render_login(view, current.viewer));
  }
  if (!result || !result->user) {
    view.error = "Wrong user name or password.";
    return send_html(response, 401, render_login(view, current.viewer));
  }
  start_session(hub, response, current, *result->user, view.next);
}

void register_form(HubContext& hub, const Request&, Response& response, Visit& current) {
  if (!hub.settings.registration_open) {
    return send_error_page(response, current, 403, "Registration is closed",
                           "This hub does not take new accounts. Ask its administrator.");
  }
  if (current.session) return send_redirect(response, "/settings");
  send_html(response, 200, render_register({}, current.viewer));
}

void register_account(HubContext& hub, const Request& request, Response& response, Visit& current) {
  if (!hub.settings.registration_open) return register_form(hub, request, response, current);
  AccountFormView view;
  view.username = request.get_param_value("username");
  view.email = request.get_param_value("email");
  auto user =
      hub.accounts.register_user(view.username, view.email, request.get_param_value("password"));
  if (!user) {
    const Error& error = user.error();
    if (error.code != ExitCode::kUsage && error.code != ExitCode::kConflict) {
      return send_storage_error(response, current, error);
    }
    view.error = error.code == ExitCode::kConflict ? "That user name is taken." : error.message;
    if (error.code == ExitCode::kUsage && !error.hint.empty())
      view.error += " (" + error.hint + ")";
    int status = error.code == ExitCode::kConflict ? 409 : 400;
    return send_html(response, status, render_register(view, current.viewer));
  }
  start_session(hub, response, current, *user, "/settings");
}

void logout_store_routes(HubContext& hub, const Request&, Response& response, Visit& current) {
  if (!current.session_secret.empty()) {
    if (auto ended = hub.accounts.end_session(current.session_secret); !ended) {
      log::warn("store: ending a session: " + ended.error().message);
    }
  }
  response.set_header("Set-Cookie", cookie_header(hub, kSessionCookie, "", 0));
  send_redirect(response, "/");
}

// The settings page; `created` is a token made by this request, shown once.
void render_settings_page(HubContext& hub, Response& response, Visit& current, int status,
                          const IssuedToken* created, std::string error) {
  SettingsView view;
  view.user = current.session->user;
  view.hub_url = hub.public_url;
  view.now = now();
  view.error = std::move(error);
  if (created) {
    view.new_token = created->secret;
    view.new_token_name = created->info.name;
  }
  auto tokens = hub.storage.list_tokens(view.user.id);
  if (!tokens) return send_storage_error(response, current, tokens.error());
  view.tokens = std::move(*tokens);
  send_html(response, status, render_settings(view, current.viewer));
  if (created) replace_header(response, "Cache-Control", "no-store");
}

void settings(HubContext& hub, const Request& request, Response& response, Visit& current) {
  if (!require_session(request, response, current)) return;
  render_settings_page(hub, response, current, 200, nullptr, {});
}

void create_token_store_routes(HubContext& hub, const Request& request, Response& response,
                               Visit& current) {
  if (!require_session(request, response, current)) return;
  std::string name = request.get_param_value("token_name");
  if (name.empty() || name.size() > kMaxTokenName) {
    return render_settings_page(hub, response, current, 400, nullptr,
                                "Give the token a name of 1 to 100 characters.");
  }
  auto token = hub.accounts.create_token(current.session->user, name);
  if (!token) return send_storage_error(response, current, token.error());
  render_settings_page(hub, response, current, 201, &*token, {});
}

void revoke_token_store_routes(HubContext& hub, const Request& request, Response& response,
                               Visit& current) {
  if (!require_session(request, response, current)) return;
  std::int64_t id = 0;
  std::string text = request.matches[1];
  std::from_chars(text.data(), text.data() + text.size(), id);
  auto revoked = hub.storage.revoke_token(current.session->user.id, id);
  if (!revoked) return send_storage_error(response, current, revoked.error());
  send_redirect(response, "/settings");
}

void docs(HubContext&, const Request& request, Response& response, Visit& current) {
  std::string name = request.matches.size() > 1 ? std::string(request.matches[1]) : "";
  auto html = render_doc(name, current.viewer);
  if (!html) {
    return send_error_page(response, current, 404, "No such page",
                           "The documentation has no page “" + name + "”.");
  }
  send_html(response, 200, std::move(*html));
}

// Feeds are public and cacheable: no visit (no cookie), no CSRF.
void feed(HubContext& hub, const Request& request, Response& response) {
  Visit current;
  auto versions = hub.storage.recent_versions(kFeedSize);
  if (!versions) return send_storage_error(response, current, versions.error());
  FeedView view{std::move(*versions), hub.public_url, now()};
  bool atom = request.path == "/feed.atom";
  set_security_headers(response);
  response.set_header("Cache-Control", "public, max-age=300");
  response.set_content(
      atom ? render_atom_feed(view) : render_json_feed(view),
      atom ? "application/atom+xml; charset=utf-8" : "application/feed+json; charset=utf-8");
}

void send_asset(const Request& request, Response& response, const EmbeddedAsset& asset,
                const char* cache_control) {
  std::string etag = "\"" + std::string(asset.sha256) + "\"";
  set_security_headers(response);
  response.set_header("ETag", etag);
  response.set_header("Cache-Control", cache_control);
  if (request.get_header_value("If-None-Match") == etag) {
    response.status = 304;
    return;
  }
  response.set_content(asset.content.data(), asset.content.size(),
                       std::string(asset_content_type(asset.name)));
}

}  // namespace

void add_store_routes(httplib::Server& server, HubContext& hub) {
  static const std::string kName = "([a-z0-9][a-z0-9._-]{0,63})";
  static const std::string kVersion = "([0-9A-Za-z.+-]{1,64})";
  server.Get("/", page(hub, explore));
  server.Get("/u/" + kName, page(hub, user_page_store_routes));
  server.Get("/p/" + kName, page(hub, package_page_store_routes));
  server.Get("/p/" + kName + "/" + kVersion, page(hub, package_page_store_routes));
  server.Post("/p/" + kName + "/" + kVersion + "/(yank|unyank)",
              page(hub, yank_store_routes, true));
  server.Get("/login", page(hub, login_form));
  server.Post("/login", page(hub, login_store_routes, true));
  server.Get("/register", page(hub, register_form));
  server.Post("/register", page(hub, register_account, true));
  server.Post("/logout", page(hub, logout_store_routes, true));
  server.Get("/settings", page(hub, settings));
  server.Post("/settings/tokens", page(hub, create_token_store_routes, true));
  server.Post("/settings/tokens/([0-9]{1,18})/revoke", page(hub, revoke_token_store_routes, true));
  server.Get("/docs", page(hub, docs));
  server.Get("/docs/([a-z-]{1,32})", page(hub, docs));
  auto feeds = [&hub](const Request& request, Response& response) { feed(hub, request, response); };
  server.Get("/feed.atom", feeds);
  server.Get("/feed.json", feeds);
  server.Get("/static/([a-z0-9._-]{1,64})", [](const Request& request, Response& response) {
    const EmbeddedAsset* asset = find_store_asset(std::string(request.matches[1]));
    if (!asset) {
      response.status = 404;
      return response.set_content("not found\n", "text/plain; charset=utf-8");
    }
    send_asset(request, response, *asset, "public, max-age=31536000, immutable");
  });
  server.Get("/favicon.ico", [](const Request& request, Response& response) {
    if (const EmbeddedAsset* icon = find_store_asset("icon.svg")) {
      send_asset(request, response, *icon, "public, max-age=86400");
    }
  });
}

}  // namespace lmp::hub
