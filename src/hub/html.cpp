#include "hub/html.h"

#include <chrono>
#include <cstdio>

#include "hub/store_assets.h"

namespace lmp::hub::html {

std::string escape(std::string_view text) {
  std::string out;
  out.reserve(text.size() + text.size() / 8);
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string url_encode(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    bool unreserved = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                      c == '-' || c == '.' || c == '_' || c == '~';
    if (unreserved) {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 0xf];
    }
  }
  return out;
}

std::string safe_external_url(std::string_view url) {
  auto starts_with_nocase = [&](std::string_view prefix) {
    if (url.size() <= prefix.size()) return false;
    for (std::size_t i = 0; i < prefix.size(); ++i) {
      char c = url[i];
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
      if (c != prefix[i]) return false;
    }
    return true;
  };
  if (!starts_with_nocase("https://") && !starts_with_nocase("http://")) return {};
  for (unsigned char c : url) {
    if (c <= ' ' || c == 0x7f) return {};  // no whitespace or control characters
  }
  return std::string(url);
}

Writer& Writer::operator<<(std::string_view text) {
  out_ += escape(text);
  return *this;
}

Writer& Writer::operator<<(Raw raw) {
  out_ += raw.markup;
  return *this;
}

Writer& Writer::operator<<(std::int64_t number) {
  out_ += std::to_string(number);
  return *this;
}

std::string format_count(std::int64_t count) {
  std::string digits = std::to_string(count < 0 ? -count : count);
  std::string out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return count < 0 ? "-" + out : out;
}

std::string format_size(std::uint64_t bytes) {
  if (bytes < 1024) return std::to_string(bytes) + " B";
  static constexpr const char* kUnits[] = {"KB", "MB", "GB", "TB"};
  double value = static_cast<double>(bytes);
  int unit = -1;
  while (value >= 1024 && unit < 3) {
    value /= 1024;
    ++unit;
  }
  char text[32];
  std::snprintf(text, sizeof text, value < 10 ? "%.1f %s" : "%.0f %s", value, kUnits[unit]);
  return text;
}

std::string format_day(UnixDay day) {
  std::chrono::year_month_day date{std::chrono::sys_days{std::chrono::days{day}}};
  char text[16];
  std::snprintf(text, sizeof text, "%04d-%02u-%02u", static_cast<int>(date.year()),
                static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()));
  return text;
}

std::string format_date(UnixTime time) {
  return format_day(time >= 0 ? time / 86400 : -1);
}

std::string format_rfc3339(UnixTime time) {
  UnixDay day = time / 86400;
  std::int64_t seconds = time % 86400;
  if (seconds < 0) {
    seconds += 86400;
    --day;
  }
  char text[16];
  std::snprintf(text, sizeof text, "T%02d:%02d:%02dZ", static_cast<int>(seconds / 3600),
                static_cast<int>(seconds / 60 % 60), static_cast<int>(seconds % 60));
  return format_day(day) + text;
}

std::string format_ago(UnixTime time, UnixTime now) {
  std::int64_t age = now - time;
  auto plural = [](std::int64_t n, const char* unit) {
    return std::to_string(n) + " " + unit + (n == 1 ? "" : "s") + " ago";
  };
  if (age < 0) return format_date(time);
  if (age < 60) return "just now";
  if (age < 3600) return plural(age / 60, "minute");
  if (age < 86400) return plural(age / 3600, "hour");
  if (age < 86400 * 31) return plural(age / 86400, "day");
  return format_date(time);
}

std::string asset_url(std::string_view name) {
  std::string url = "/static/" + std::string(name);
  if (const EmbeddedAsset* asset = find_store_asset(name)) {
    url += "?v=" + std::string(asset->sha256.substr(0, 12));
  }
  return url;
}

namespace {

void write_nav_link(Writer& out, const Layout& layout, std::string_view id, std::string_view href,
                    std::string_view label) {
  out << "<a href=\"" << href << "\" id=\"nav-" << id << "\"";
  if (layout.active == id) out << " aria-current=\"page\"";
  out << ">" << label << "</a>";
}

}  // namespace

std::string render_page(const Layout& layout, const Viewer& viewer, std::string_view body) {
  Writer out;
  out << "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
         "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
         "<meta name=\"color-scheme\" content=\"light dark\">\n<title>";
  if (!layout.title.empty()) out << layout.title << " · ";
  out << "lmp hub</title>\n";
  if (!layout.description.empty()) {
    out << "<meta name=\"description\" content=\"" << layout.description << "\">\n";
  }
  out << "<link rel=\"stylesheet\" href=\"" << asset_url("store.css") << "\">\n"
      << "<link rel=\"icon\" type=\"image/svg+xml\" href=\"" << asset_url("icon.svg") << "\">\n"
      << "<link rel=\"alternate\" type=\"application/atom+xml\" title=\"New versions\" "
         "href=\"/feed.atom\">\n"
      << "<script src=\"" << asset_url("store.js") << "\" defer></script>\n</head>\n<body>\n"
      << "<a class=\"skip-link\" href=\"#main\">Skip to content</a>\n"
      << "<header class=\"topbar\">\n<div class=\"topbar-inner\">\n"
      << "<a class=\"brand\" href=\"/\" id=\"nav-home\"><img src=\"" << asset_url("icon.svg")
      << "\" alt=\"\" width=\"28\" height=\"28\"><span>lmp hub</span></a>\n"
      << "<form class=\"topbar-search\" role=\"search\" action=\"/\" method=\"get\">"
         "<label class=\"visually-hidden\" for=\"top-search\">Search packages</label>"
         "<input id=\"top-search\" type=\"search\" name=\"q\" placeholder=\"Search eBPF tools\" "
         "value=\""
      << layout.search << "\" data-testid=\"top-search\"></form>\n<nav aria-label=\"Main\">";
  write_nav_link(out, layout, "explore", "/", "Explore");
  write_nav_link(out, layout, "docs", "/docs", "Docs");
  if (!viewer.user.empty()) {
    write_nav_link(out, layout, "user", "/u/" + url_encode(viewer.user), viewer.user);
    write_nav_link(out, layout, "settings", "/settings", "Settings");
    out << "<form class=\"inline-form\" action=\"/logout\" method=\"post\">"
           "<input type=\"hidden\" name=\"csrf_token\" value=\""
        << viewer.csrf_token
        << "\"><button type=\"submit\" class=\"link-button\" id=\"nav-logout\">Log out"
           "</button></form>";
  } else {
    write_nav_link(out, layout, "login", "/login", "Log in");
    if (viewer.registration_open) write_nav_link(out, layout, "register", "/register", "Sign up");
  }
  out << "</nav>\n</div>\n</header>\n<main id=\"main\">\n"
      << Raw{body}
      << "\n</main>\n<footer class=\"footer\">\n<p>lmp hub " LMP_HUB_VERSION
         " · <a href=\"/docs\">Using lmp</a> · <a href=\"/feed.atom\">Atom feed</a> · "
         "<a href=\"/feed.json\">JSON feed</a> · <a href=\"/api/v1/info\">API</a></p>\n"
         "</footer>\n</body>\n</html>\n";
  return out.take();
}

}  // namespace lmp::hub::html
