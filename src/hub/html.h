// HTML for the web store: escaping, a small writer that escapes by default, formatting of
// counts, sizes and dates, and the layout every page shares (head, top bar, footer).
// Nothing here touches the network or the database, so pages render into strings in tests.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "hub/storage.h"

namespace lmp::hub::html {

// Escapes & < > " ' so the result is safe in element content and in quoted attributes
// (HTML and XML alike).
std::string escape(std::string_view text);

// Percent-encodes everything but unreserved characters (RFC 3986), for query values and
// path segments.
std::string url_encode(std::string_view text);

// `url` when it is an absolute http(s) URL, else empty (no javascript:, data:, ...).
std::string safe_external_url(std::string_view url);

// Markup that is already HTML (rendered Markdown, an SVG chart): written as is.
struct Raw {
  std::string_view markup;
};

// Appends markup and text. String literals are markup; every other string is text and is
// escaped, so a value from a package or a user cannot become markup by accident.
class Writer {
 public:
  template <std::size_t N>
  Writer& operator<<(const char (&markup)[N]) {
    out_.append(markup, N - 1);
    return *this;
  }
  Writer& operator<<(std::string_view text);
  Writer& operator<<(Raw raw);
  Writer& operator<<(std::int64_t number);

  const std::string& str() const { return out_; }
  std::string take() { return std::move(out_); }

 private:
  std::string out_;
};

// 1234567 -> "1,234,567".
std::string format_count(std::int64_t count);
// 1536 -> "1.5 KB".
std::string format_size(std::uint64_t bytes);
// "2026-12-01".
std::string format_date(UnixTime time);
std::string format_day(UnixDay day);
// RFC 3339 UTC, "2026-12-01T10:00:00Z".
std::string format_rfc3339(UnixTime time);
// "just now", "5 minutes ago", "3 days ago", else the date.
std::string format_ago(UnixTime time, UnixTime now);

// Who is looking at a page: the signed-in user (empty name = anonymous) and the CSRF token
// their forms carry.
struct Viewer {
  std::string user;
  bool admin = false;
  std::string csrf_token;
  bool registration_open = true;
};

struct Layout {
  std::string title;        // "tcpstates" -> "<title>tcpstates · lmp hub</title>"; text
  std::string description;  // meta description; text
  std::string search;       // the query shown in the top bar's search box; text
  std::string active;       // "explore", "docs", "settings", "login", "register"
};

// The whole document around `body` (which must already be HTML).
std::string render_page(const Layout& layout, const Viewer& viewer, std::string_view body);

// The URL of an embedded asset with its content hash, e.g. "/static/store.css?v=1a2b3c4d".
std::string asset_url(std::string_view name);

}  // namespace lmp::hub::html
