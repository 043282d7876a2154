#include "hub/api_support.h"

#include <httplib.h>

#include "common/log.h"
#include "hub/api_json.h"
#include "hub/publish.h"

namespace lmp::hub {

using nlohmann::json;

std::optional<json> json_body(const httplib::Request& req, httplib::Response& res) {
  json body = json::parse(req.body.empty() ? std::string("{}") : req.body, nullptr, false);
  if (body.is_discarded() || !body.is_object()) {
    send_error(res, 400, "the request body is not a JSON object",
               "send Content-Type: application/json");
    return std::nullopt;
  }
  return body;
}

std::optional<std::string> string_field(const json& object, const char* key) {
  auto it = object.find(key);
  if (it == object.end() || !it->is_string()) return std::nullopt;
  return it->get<std::string>();
}

std::string bearer_token(const httplib::Request& req) {
  std::string header = req.get_header_value("Authorization");
  constexpr std::string_view kBearer = "Bearer ";
  if (header.size() <= kBearer.size() || !header.starts_with(kBearer)) return "";
  std::string token = header.substr(kBearer.size());
  while (!token.empty() && token.front() == ' ') token.erase(token.begin());
  while (!token.empty() && token.back() == ' ') token.pop_back();
  return token;
}

std::string login_hint(const HubContext& hub) {
  return "run 'lmp login " + hub.public_url + "'";
}

std::optional<User> authenticate(HubContext& hub, const httplib::Request& req,
                                 httplib::Response& res) {
  std::string token = bearer_token(req);
  if (token.empty()) {
    send_error(res, 401, "this needs an API token (Authorization: Bearer TOKEN)", login_hint(hub));
    return std::nullopt;
  }
  auto user = hub.accounts.authenticate_token(token);
  if (!user) {
    send_failure(hub, res, user.error());
    return std::nullopt;
  }
  if (!*user) {
    send_error(res, 401, "unknown or revoked API token", login_hint(hub));
    return std::nullopt;
  }
  return **user;
}

httplib::Server::HandlerWithContentReader without_body(
    HubContext& hub, void (*handler)(HubContext&, const httplib::Request&, httplib::Response&)) {
  return [&hub, handler](const httplib::Request& req, httplib::Response& res,
                         const httplib::ContentReader& reader) {
    bool has_body = req.get_header_value<std::uint64_t>("Content-Length") > 0 ||
                    req.has_header("Transfer-Encoding");
    if (has_body && !reader([](const char*, std::size_t) { return true; })) return;
    handler(hub, req, res);
  };
}

void send_failure(HubContext&, httplib::Response& res, const Error& error) {
  int status = http_status(error);
  if (status == 500) {
    log::error(error.message);
    send_error(res, 500, "internal error", "the server log has the cause");
    return;
  }
  send_error(res, status, error.message, error.hint);
}

}  // namespace lmp::hub
