#include "hub/store_session.h"

#include <httplib.h>
#include <sodium.h>

#include "common/log.h"
#include "hub/store_pages.h"

namespace lmp::hub {

std::string cookie_value(const httplib::Request& request, std::string_view name) {
  std::size_t count = request.get_header_value_count("Cookie");
  for (std::size_t i = 0; i < count; ++i) {
    std::string header = request.get_header_value("Cookie", i);
    std::string_view rest = header;
    while (!rest.empty()) {
      std::size_t end = rest.find(';');
      std::string_view pair = rest.substr(0, end);
      rest.remove_prefix(end == std::string_view::npos ? rest.size() : end + 1);
      while (!pair.empty() && pair.front() == ' ') pair.remove_prefix(1);
      std::size_t equals = pair.find('=');
      if (equals != std::string_view::npos && pair.substr(0, equals) == name) {
        return std::string(pair.substr(equals + 1));
      }
    }
  }
  return {};
}

std::string cookie_header(const HubContext& hub, std::string_view name, std::string_view value,
                          std::int64_t max_age) {
  std::string cookie = std::string(name) + "=" + std::string(value) +
                       "; Path=/; HttpOnly; SameSite=Lax; Max-Age=" + std::to_string(max_age);
  if (hub.public_url.starts_with("https://")) cookie += "; Secure";
  return cookie;
}

Visit visit(const httplib::Request& request, httplib::Response& response, HubContext& hub) {
  Visit result;
  result.viewer.registration_open = hub.settings.registration_open;
  std::string secret = cookie_value(request, kSessionCookie);
  if (!secret.empty()) {
    auto found = hub.accounts.find_session(secret);
    if (!found) {
      log::warn("store: looking up a session: " + found.error().message);
    } else if (*found) {
      result.session = std::move(**found);
      result.session_secret = std::move(secret);
      result.viewer.user = result.session->user.name;
      result.viewer.admin = result.session->user.admin;
      result.viewer.csrf_token = result.session->session.csrf_token;
      return result;
    }
  }
  result.viewer.csrf_token = cookie_value(request, kCsrfCookie);
  if (result.viewer.csrf_token.size() < 16) {
    result.viewer.csrf_token = random_secret(24);
    response.set_header("Set-Cookie",
                        cookie_header(hub, kCsrfCookie, result.viewer.csrf_token, 60 * 60 * 24));
  }
  return result;
}

bool csrf_valid(const httplib::Request& request, const Visit& visit) {
  const std::string& expected = visit.viewer.csrf_token;
  std::string given = request.get_param_value("csrf_token");
  return !expected.empty() && given.size() == expected.size() &&
         sodium_memcmp(given.data(), expected.data(), expected.size()) == 0;
}

void replace_header(httplib::Response& response, const std::string& name,
                    const std::string& value) {
  response.headers.erase(name);
  response.set_header(name, value);
}

void set_security_headers(httplib::Response& response) {
  auto set = [&](const char* name, std::string_view value) {
    if (!response.has_header(name)) response.set_header(name, std::string(value));
  };
  set("Content-Security-Policy", kStoreCsp);
  set("X-Content-Type-Options", "nosniff");
  set("Referrer-Policy", "same-origin");
  set("X-Frame-Options", "DENY");
}

void send_html(httplib::Response& response, int status, std::string html) {
  set_security_headers(response);
  response.set_header("Cache-Control", "no-cache, private");
  response.status = status;
  response.set_header("Content-Type", "text/html; charset=utf-8");
  response.body = std::move(html);
}

void send_error_page(httplib::Response& response, const Visit& visit, int status,
                     std::string_view title, std::string_view message) {
  send_html(response, status, render_error(status, title, message, visit.viewer));
}

void send_redirect(httplib::Response& response, const std::string& path) {
  set_security_headers(response);
  response.set_header("Cache-Control", "no-store");
  response.set_redirect(local_path_or_root(path), 303);
}

std::string local_path_or_root(std::string_view next) {
  if (next.size() < 1 || next[0] != '/' || next.starts_with("//") || next.starts_with("/\\")) {
    return "/";
  }
  for (unsigned char c : next) {
    if (c < ' ' || c == 0x7f) return "/";
  }
  return std::string(next);
}

}  // namespace lmp::hub
