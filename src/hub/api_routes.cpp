// The JSON API (/api/v1/, docs/hub.md): accounts and tokens here, packages in
// api_package_routes.cpp. Handlers parse, call Accounts/Storage/publish_upload, render.
#include <httplib.h>

#include <charconv>

#include "common/log.h"
#include "hub/api_json.h"
#include "hub/api_support.h"
#include "hub/check_reports.h"
#include "hub/publish.h"
#include "hub/server.h"

namespace lmp::hub {
namespace {

using httplib::Request;
using httplib::Response;
using nlohmann::json;

json token_json(const TokenInfo& token) {
  return {{"id", token.id},
          {"name", token.name},
          {"created", rfc3339(token.created)},
          {"last_used", rfc3339(token.last_used)},
          {"expires", token.expires ? json(rfc3339(token.expires)) : json(nullptr)}};
}

void info(HubContext& hub, const Request&, Response& res) {
  send_json(res, 200,
            {{"server", "lmp-hub"},
             {"version", LMP_HUB_VERSION},
             {"api", 1},
             {"registration", hub.settings.registration_open}});
}

void register_user(HubContext& hub, const Request& req, Response& res) {
  if (!hub.settings.registration_open)
    return send_error(res, 403, "registration is closed on this hub",
                      "ask its administrator for an account");
  auto body = json_body(req, res);
  if (!body) return;
  auto name = string_field(*body, "username"), password = string_field(*body, "password");
  if (!name || !password)
    return send_error(res, 400, "username and password are required",
                      "send JSON {\"username\", \"password\"}");
  auto user =
      hub.accounts.register_user(*name, string_field(*body, "email").value_or(""), *password);
  if (!user) return send_failure(hub, res, user.error());
  send_json(res, 201, {{"user", user_json(*user)}});
}

void login(HubContext& hub, const Request& req, Response& res) {
  auto body = json_body(req, res);
  if (!body) return;
  auto name = string_field(*body, "username"), password = string_field(*body, "password");
  if (!name || !password)
    return send_error(res, 400, "username and password are required",
                      "send JSON {\"username\", \"password\"}");
  auto result = hub.accounts.login(*name, *password, client_address(req));
  if (!result && result.error().code != ExitCode::kPermission)
    return send_failure(hub, res, result.error());
  if (result && result->retry_after.count() > 0) {
    res.set_header("Retry-After", std::to_string(result->retry_after.count()));
    return send_error(res, 429, "too many failed logins",
                      "try again in " + std::to_string(result->retry_after.count()) + " s");
  }
  if (!result || !result->user)
    return send_error(res, 401, "wrong user name or password", login_hint(hub));
  auto token = hub.accounts.create_token(*result->user,
                                         string_field(*body, "token_name").value_or("lmp login"),
                                         hub.settings.login_token_lifetime);
  if (!token) return send_failure(hub, res, token.error());
  send_json(res, 200,
            {{"token", token->secret}, {"token_id", token->info.id}, {"user", result->user->name}});
}

void logout(HubContext& hub, const Request& req, Response& res) {
  auto user = authenticate(hub, req, res);
  if (!user) return;
  if (auto revoked = hub.accounts.revoke_token(bearer_token(req)); !revoked)
    return send_failure(hub, res, revoked.error());
  send_json(res, 200, json::object());
}

void me(HubContext& hub, const Request& req, Response& res) {
  if (auto user = authenticate(hub, req, res)) send_json(res, 200, {{"user", user_json(*user)}});
}

void list_tokens(HubContext& hub, const Request& req, Response& res) {
  auto user = authenticate(hub, req, res);
  if (!user) return;
  auto tokens = hub.storage.list_tokens(user->id);
  if (!tokens) return send_failure(hub, res, tokens.error());
  json list = json::array();
  for (const TokenInfo& t : *tokens) list.push_back(token_json(t));
  send_json(res, 200, {{"tokens", std::move(list)}});
}

void create_token(HubContext& hub, const Request& req, Response& res) {
  auto user = authenticate(hub, req, res);
  if (!user) return;
  auto body = json_body(req, res);
  if (!body) return;
  // Optional lifetime in seconds; without it the token lives until it is revoked.
  std::chrono::seconds lifetime{0};
  if (auto it = body->find("expires_in"); it != body->end() && !it->is_null()) {
    if (!it->is_number_integer() || it->get<std::int64_t>() < 1 ||
        it->get<std::int64_t>() > kMaxTokenLifetime.count())
      return send_error(
          res, 400,
          "expires_in: expected seconds from 1 to " + std::to_string(kMaxTokenLifetime.count()));
    lifetime = std::chrono::seconds(it->get<std::int64_t>());
  }
  auto token = hub.accounts.create_token(*user, string_field(*body, "name").value_or(""), lifetime);
  if (!token) return send_failure(hub, res, token.error());
  send_json(
      res, 201,
      {{"token", token->secret},
       {"token_id", token->info.id},
       {"expires", token->info.expires ? json(rfc3339(token->info.expires)) : json(nullptr)}});
}

void revoke_token(HubContext& hub, const Request& req, Response& res) {
  auto user = authenticate(hub, req, res);
  if (!user) return;
  std::int64_t id = 0;
  std::string text = req.matches[1];
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
  if (ec != std::errc() || end != text.data() + text.size())
    return send_error(res, 404, "no token " + text, "GET /api/v1/tokens lists yours");
  if (auto revoked = hub.storage.revoke_token(user->id, id); !revoked)
    return send_failure(hub, res, revoked.error());
  send_json(res, 200, json::object());
}

}  // namespace

void add_api_routes(httplib::Server& server, HubContext& hub) {
  auto route = [&hub](void (*handler)(HubContext&, const Request&, Response&)) {
    return [&hub, handler](const Request& req, Response& res) { handler(hub, req, res); };
  };
  server.Get("/api/v1/info", route(info));
  server.Post("/api/v1/register", route(register_user));
  server.Post("/api/v1/login", route(login));
  server.Post("/api/v1/logout", without_body(hub, logout));
  server.Get("/api/v1/me", route(me));
  server.Get("/api/v1/tokens", route(list_tokens));
  server.Post("/api/v1/tokens", route(create_token));
  server.Delete("/api/v1/tokens/([^/]+)", route(revoke_token));
  add_package_api_routes(server, hub);
  add_check_report_routes(server, hub);  // check_report_routes.cpp

  auto unknown = [](const Request& req, Response& res) {
    send_error(res, 404, "no API route " + req.method + " " + req.path,
               "docs/hub.md lists the routes");
  };
  server.Get("/api/.*", unknown);
  server.Post("/api/.*", unknown);
  server.Put("/api/.*", unknown);
  server.Delete("/api/.*", unknown);
}

}  // namespace lmp::hub
