// What every API handler shares: the request's JSON body, Bearer authentication and the
// answer to an Error (docs/hub.md: statuses and {"error", "hint"}).
#pragma once

#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "common/result.h"
#include "hub/server.h"

#include <httplib.h>

namespace lmp::hub {

// The body as a JSON object; nullopt after answering 400.
std::optional<nlohmann::json> json_body(const httplib::Request& req, httplib::Response& res);
// A string member; nullopt when absent or not a string.
std::optional<std::string> string_field(const nlohmann::json& object, const char* key);

// The secret of "Authorization: Bearer SECRET", or "".
std::string bearer_token(const httplib::Request& req);
// The token's user; nullopt after answering 401 (or 500).
std::optional<User> authenticate(HubContext& hub, const httplib::Request& req,
                                 httplib::Response& res);
// "run 'lmp login PUBLIC_URL'"
std::string login_hint(const HubContext& hub);

// Answers `error` with its status (http_status); a 500 is logged and shown generically.
void send_failure(HubContext& hub, httplib::Response& res, const Error& error);

// For POST/PUT routes that take no body: httplib 0.11 answers 400 to a POST or PUT without
// Content-Length before a plain handler runs, while a content-reader handler runs first.
// A body that was sent anyway is read and dropped, so the connection stays usable.
httplib::Server::HandlerWithContentReader without_body(
    HubContext& hub, void (*handler)(HubContext&, const httplib::Request&, httplib::Response&));

// The /api/v1/packages... and /api/v1/users, /api/v1/categories routes.
void add_package_api_routes(httplib::Server& server, HubContext& hub);

}  // namespace lmp::hub
