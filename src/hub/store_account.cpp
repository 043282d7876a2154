// Account pages: log in, sign up, and settings (API tokens, shown once).
#include "hub/store_pages.h"

namespace lmp::hub {
namespace {

using html::Writer;

void write_csrf(Writer& out, const html::Viewer& viewer) {
  out << "<input type=\"hidden\" name=\"csrf_token\" value=\"" << viewer.csrf_token << "\">";
}

void write_error(Writer& out, const std::string& error) {
  if (error.empty()) return;
  out << "<p class=\"form-error\" role=\"alert\" data-testid=\"form-error\">" << error << "</p>\n";
}

// One labelled input; `autocomplete` and `extra` are markup chosen by the caller.
void write_field(Writer& out, std::string_view id, std::string_view label, std::string_view type,
                 std::string_view value, std::string_view autocomplete, bool required) {
  out << "<div class=\"field\"><label for=\"" << id << "\">" << label << "</label><input id=\""
      << id << "\" name=\"" << id << "\" type=\"" << type << "\" autocomplete=\"" << autocomplete
      << "\"";
  if (!value.empty()) out << " value=\"" << value << "\"";
  if (required) out << " required";
  out << "></div>\n";
}

}  // namespace

std::string render_login(const AccountFormView& view, const html::Viewer& viewer) {
  Writer out;
  out << "<section class=\"auth\" aria-labelledby=\"login-title\">\n<h1 id=\"login-title\">Log "
         "in</h1>\n";
  write_error(out, view.error);
  out << "<form method=\"post\" action=\"/login\" class=\"stack\" data-testid=\"login-form\">";
  write_csrf(out, viewer);
  if (!view.next.empty()) {
    out << "<input type=\"hidden\" name=\"next\" value=\"" << view.next << "\">";
  }
  write_field(out, "username", "User name", "text", view.username, "username", true);
  write_field(out, "password", "Password", "password", "", "current-password", true);
  out << "<button type=\"submit\" class=\"primary\" id=\"login-submit\">Log in</button></form>\n";
  if (viewer.registration_open) {
    out << "<p>New here? <a href=\"/register\">Create an account</a>.</p>\n";
  }
  out << "</section>\n";
  html::Layout layout;
  layout.title = "Log in";
  layout.active = "login";
  return html::render_page(layout, viewer, out.str());
}

std::string render_register(const AccountFormView& view, const html::Viewer& viewer) {
  Writer out;
  out << "<section class=\"auth\" aria-labelledby=\"register-title\">\n<h1 "
         "id=\"register-title\">Create an account</h1>\n";
  write_error(out, view.error);
  out << "<form method=\"post\" action=\"/register\" class=\"stack\" "
         "data-testid=\"register-form\">";
  write_csrf(out, viewer);
  write_field(out, "username", "User name", "text", view.username, "username", true);
  out << "<p class=\"field-hint\">Lowercase letters, digits, '.', '_' and '-'; up to 64.</p>\n";
  write_field(out, "email", "Email (optional)", "email", view.email, "email", false);
  write_field(out, "password", "Password", "password", "", "new-password", true);
  out << "<p class=\"field-hint\">At least 8 characters.</p>\n"
         "<button type=\"submit\" class=\"primary\" id=\"register-submit\">Create account"
         "</button></form>\n<p>Have an account? <a href=\"/login\">Log in</a>.</p>\n</section>\n";
  html::Layout layout;
  layout.title = "Create an account";
  layout.active = "register";
  return html::render_page(layout, viewer, out.str());
}

std::string render_settings(const SettingsView& view, const html::Viewer& viewer) {
  Writer out;
  out << "<h1>Settings</h1>\n<p class=\"muted\">Signed in as <a href=\"/u/"
      << html::url_encode(view.user.name) << "\">" << view.user.name << "</a>";
  if (!view.user.email.empty()) out << " (" << view.user.email << ")";
  out << ".</p>\n<section aria-labelledby=\"tokens-title\" class=\"settings-section\">\n<h2 "
         "id=\"tokens-title\">API tokens</h2>\n<p>Tokens let <code>lmp publish</code> and scripts "
         "act as you. Or log in from a terminal: <code>lmp login "
      << view.hub_url << " -u " << view.user.name << "</code>.</p>\n";
  write_error(out, view.error);
  if (!view.new_token.empty()) {
    out << "<div class=\"new-token\" role=\"status\"><p><strong>New token “" << view.new_token_name
        << "”.</strong> Copy it now: it is shown only once.</p><div class=\"command\"><code "
           "id=\"new-token\" data-testid=\"new-token\">"
        << view.new_token
        << "</code><button type=\"button\" class=\"copy-button\" data-copy=\"new-token\" "
           "aria-label=\"Copy the token\"><img src=\""
        << html::asset_url("copy.svg")
        << "\" alt=\"\" width=\"16\" height=\"16\"><span>Copy</span></button></div></div>\n";
  }
  out << "<form method=\"post\" action=\"/settings/tokens\" class=\"inline-fields\" "
         "data-testid=\"token-form\">";
  write_csrf(out, viewer);
  out << "<div class=\"field\"><label for=\"token_name\">Token name</label><input "
         "id=\"token_name\" name=\"token_name\" type=\"text\" required maxlength=\"100\" "
         "placeholder=\"laptop, CI, ...\"></div><button type=\"submit\" class=\"primary\" "
         "id=\"token-create\">Create token</button></form>\n";
  if (view.tokens.empty()) {
    out << "<p class=\"empty\">No tokens yet.</p>\n";
  } else {
    out << "<div class=\"table-box\"><table class=\"tokens\" data-testid=\"tokens-table\">"
           "<thead><tr><th scope=\"col\">Name</th><th scope=\"col\">Created</th><th "
           "scope=\"col\">Last used</th><th scope=\"col\"><span "
           "class=\"visually-hidden\">Actions</span></th></tr></thead>\n<tbody>\n";
    for (const TokenInfo& token : view.tokens) {
      out << "<tr><th scope=\"row\">" << token.name << "</th><td>"
          << html::format_date(token.created) << "</td><td>"
          << (token.last_used ? html::format_ago(token.last_used, view.now) : "never")
          << "</td><td><form method=\"post\" action=\"/settings/tokens/" << token.id
          << "/revoke\">";
      write_csrf(out, viewer);
      out << "<button type=\"submit\" class=\"small-button danger\" data-testid=\"revoke-"
          << token.id << "\">Revoke</button></form></td></tr>\n";
    }
    out << "</tbody></table></div>\n";
  }
  out << "</section>\n";
  html::Layout layout;
  layout.title = "Settings";
  layout.active = "settings";
  return html::render_page(layout, viewer, out.str());
}

}  // namespace lmp::hub
