// What every store handler does around its page: who is visiting (the `lmp_session`
// cookie, or an anonymous CSRF cookie for the login and sign-up forms), the CSRF check of
// every POST, the session cookie's attributes, and the security headers of every answer.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "hub/accounts.h"
#include "hub/html.h"
#include "hub/server.h"

namespace lmp::hub {

inline constexpr std::string_view kSessionCookie = "lmp_session";
// Anonymous visitors' CSRF token (double-submit: the form field must equal the cookie).
inline constexpr std::string_view kCsrfCookie = "lmp_csrf";

inline constexpr std::string_view kStoreCsp =
    "default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self' data:; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

// The value of cookie `name` in the request's Cookie header; empty when absent.
std::string cookie_value(const httplib::Request& request, std::string_view name);

// A Set-Cookie value: Path=/, HttpOnly, SameSite=Lax, Secure when the hub's public URL is
// https. `max_age` 0 deletes the cookie.
std::string cookie_header(const HubContext& hub, std::string_view name, std::string_view value,
                          std::int64_t max_age);

struct Visit {
  std::optional<Accounts::SessionUser> session;  // set when signed in
  std::string session_secret;                    // the cookie value of that session
  html::Viewer viewer;
};

// Reads the session cookie; an anonymous visitor without a CSRF cookie gets one set on
// `response`. A storage failure counts as anonymous (and is logged).
Visit visit(const httplib::Request& request, httplib::Response& response, HubContext& hub);

// The form's csrf_token equals the viewer's, compared in constant time; never when empty.
bool csrf_valid(const httplib::Request& request, const Visit& visit);

// Sets header `name` to `value`, replacing any earlier value (httplib's set_header adds).
void replace_header(httplib::Response& response, const std::string& name, const std::string& value);
// Security headers of every store answer (CSP, nosniff, Referrer-Policy, X-Frame-Options).
void set_security_headers(httplib::Response& response);
// A store page: the security headers, `Cache-Control: no-cache, private`, text/html.
void send_html(httplib::Response& response, int status, std::string html);
void send_error_page(httplib::Response& response, const Visit& visit, int status,
                     std::string_view title, std::string_view message);
// 303 See Other to a local path.
void send_redirect(httplib::Response& response, const std::string& path);

// `next` when it is a local path ("/..." but not "//..." or "/\\..."), else "/".
std::string local_path_or_root(std::string_view next);

}  // namespace lmp::hub
