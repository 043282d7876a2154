// The explore page (search, filters, sort, paging) and the user page: lists of package cards.
#include <algorithm>

#include "hub/store_pages.h"

namespace lmp::hub {
namespace {

using html::Writer;

std::string_view sort_name(SortOrder sort) {
  switch (sort) {
    case SortOrder::kRelevance:
      return "relevance";
    case SortOrder::kDownloads:
      return "downloads";
    case SortOrder::kUpdated:
      return "updated";
    case SortOrder::kName:
      return "name";
  }
  return "relevance";
}

// The explore URL of `query`, defaults left out, so links stay short and shareable.
std::string explore_url(const PackageQuery& query) {
  std::string url;
  auto add = [&](std::string_view key, std::string_view value) {
    if (value.empty()) return;
    url += url.empty() ? "/?" : "&";
    url += key;
    url += '=';
    url += html::url_encode(value);
  };
  add("q", query.text);
  add("category", query.category);
  add("type", query.program_type);
  if (query.sort != SortOrder::kRelevance) add("sort", sort_name(query.sort));
  if (query.page > 1) add("page", std::to_string(query.page));
  return url.empty() ? "/" : url;
}

void write_badges(Writer& out, const PackageSummary& package) {
  out << "<ul class=\"badges\" aria-label=\"What it carries\">";
  if (package.has_package_json) out << "<li class=\"badge badge-json\">JSON package</li>";
  if (package.has_app_wasm) out << "<li class=\"badge badge-wasm\">WebAssembly</li>";
  for (const std::string& type : package.program_types) {
    out << "<li class=\"badge badge-type\">" << type << "</li>";
  }
  out << "</ul>";
}

void write_card(Writer& out, const PackageSummary& package, UnixTime now) {
  std::string url = "/p/" + html::url_encode(package.name);
  const std::string& text = package.summary.empty() ? package.description : package.summary;
  out << "<li class=\"card\" data-testid=\"package-card\" data-package=\"" << package.name
      << "\">\n<div class=\"card-head\"><h3 class=\"card-title\"><a href=\"" << url << "\">"
      << package.name << "</a></h3>";
  if (!package.latest.empty()) {
    out << "<span class=\"version\" title=\"Latest version\">" << package.latest << "</span>";
  }
  out << "</div>\n";
  if (!text.empty()) out << "<p class=\"card-summary\">" << text << "</p>\n";
  out << "<p class=\"card-meta\">";
  if (!package.author.empty()) out << "<span>by " << package.author << "</span>";
  if (!package.category.empty()) {
    out << "<span class=\"category\">" << package.category << "</span>";
  }
  out << "<span title=\"Downloads\"><img src=\"" << html::asset_url("download.svg")
      << "\" alt=\"Downloads:\" width=\"14\" height=\"14\" class=\"icon\"> "
      << html::format_count(package.downloads) << "</span>";
  if (package.updated > 0) {
    out << "<span>updated <time datetime=\"" << html::format_rfc3339(package.updated) << "\">"
        << html::format_ago(package.updated, now) << "</time></span>";
  }
  out << "</p>\n";
  if (!package.tags.empty()) {
    out << "<ul class=\"tags\" aria-label=\"Tags\">";
    for (const std::string& tag : package.tags) out << "<li>#" << tag << "</li>";
    out << "</ul>\n";
  }
  write_badges(out, package);
  out << "\n</li>\n";
}

void write_filter(Writer& out, const ExploreView& view, std::string_view title, std::string_view id,
                  const NameCounts& values, bool category) {
  const std::string& current = category ? view.query.category : view.query.program_type;
  out << "<section class=\"filter\" aria-labelledby=\"filter-" << id << "\"><h2 id=\"filter-" << id
      << "\">" << title << "</h2>\n<ul>";
  PackageQuery all = view.query;
  all.page = 1;
  (category ? all.category : all.program_type).clear();
  out << "<li><a href=\"" << explore_url(all) << "\"";
  if (current.empty()) out << " aria-current=\"true\"";
  out << ">All</a></li>";
  for (const auto& [name, count] : values) {
    PackageQuery one = all;
    (category ? one.category : one.program_type) = name;
    out << "<li><a href=\"" << explore_url(one) << "\"";
    if (current == name) out << " aria-current=\"true\"";
    out << ">" << name << " <span class=\"count\">" << count << "</span></a></li>";
  }
  out << "</ul></section>\n";
}

void write_sort(Writer& out, const PackageQuery& query) {
  out << "<nav class=\"sort\" aria-label=\"Sort\"><span>Sort:</span>";
  struct Choice {
    SortOrder sort;
    const char* label;
  };
  static constexpr Choice kChoices[] = {{SortOrder::kRelevance, "Best match"},
                                        {SortOrder::kDownloads, "Most downloads"},
                                        {SortOrder::kUpdated, "Recently updated"},
                                        {SortOrder::kName, "Name"}};
  SortOrder current = query.sort;
  if (current == SortOrder::kRelevance && query.text.empty()) current = SortOrder::kDownloads;
  for (const Choice& choice : kChoices) {
    if (choice.sort == SortOrder::kRelevance && query.text.empty()) continue;
    PackageQuery sorted = query;
    sorted.sort = choice.sort;
    sorted.page = 1;
    out << "<a href=\"" << explore_url(sorted) << "\" id=\"sort-" << sort_name(choice.sort) << "\"";
    if (choice.sort == current) out << " aria-current=\"true\"";
    out << ">" << std::string_view(choice.label) << "</a>";
  }
  out << "</nav>\n";
}

void write_pager(Writer& out, const PackageQuery& query, std::int64_t total) {
  std::int64_t per_page = std::max(1, query.per_page);
  std::int64_t pages = (total + per_page - 1) / per_page;
  if (pages <= 1) return;
  out << "<nav class=\"pager\" aria-label=\"Pages\">";
  PackageQuery other = query;
  if (query.page > 1) {
    other.page = query.page - 1;
    out << "<a href=\"" << explore_url(other) << "\" rel=\"prev\" id=\"page-prev\">← Previous</a>";
  }
  out << "<span>Page " << std::int64_t{query.page} << " of " << pages << "</span>";
  if (query.page < pages) {
    other.page = query.page + 1;
    out << "<a href=\"" << explore_url(other) << "\" rel=\"next\" id=\"page-next\">Next →</a>";
  }
  out << "</nav>\n";
}

void write_cards(Writer& out, const PackagePage& page, UnixTime now) {
  out << "<ul class=\"cards\" data-testid=\"package-list\">\n";
  for (const PackageSummary& package : page.packages) write_card(out, package, now);
  out << "</ul>\n";
}

}  // namespace

std::string render_explore(const ExploreView& view, const html::Viewer& viewer) {
  const PackageQuery& query = view.query;
  Writer out;
  out << "<section class=\"hero\">\n<h1>Find and run eBPF tools</h1>\n"
         "<p>Packaged eBPF programs you can run with one command: "
         "<code>lmp run NAME</code>.</p>\n"
         "<form class=\"search\" role=\"search\" action=\"/\" method=\"get\">"
         "<label class=\"visually-hidden\" for=\"search\">Search packages</label>"
         "<input id=\"search\" type=\"search\" name=\"q\" data-testid=\"search-input\" "
         "placeholder=\"Search name, description, README, tags\" value=\""
      << query.text << "\">";
  if (!query.category.empty()) {
    out << "<input type=\"hidden\" name=\"category\" value=\"" << query.category << "\">";
  }
  if (!query.program_type.empty()) {
    out << "<input type=\"hidden\" name=\"type\" value=\"" << query.program_type << "\">";
  }
  out << "<button type=\"submit\" data-testid=\"search-button\">Search</button></form>\n"
         "</section>\n<div class=\"explore\">\n<aside class=\"filters\" aria-label=\"Filters\">\n";
  write_filter(out, view, "Categories", "category", view.categories, true);
  write_filter(out, view, "Program types", "type", view.program_types, false);
  out << "</aside>\n<section class=\"results\" aria-labelledby=\"results-title\">\n"
         "<div class=\"results-bar\"><h2 id=\"results-title\" data-testid=\"result-count\">"
      << html::format_count(view.result.total)
      << (view.result.total == 1 ? " package" : " packages");
  if (!query.text.empty()) out << " for “" << query.text << "”";
  out << "</h2>";
  write_sort(out, query);
  out << "</div>\n";
  if (view.result.packages.empty()) {
    out << "<div class=\"empty\"><p>No package matches.</p><p>Try fewer words, or "
           "<a href=\"/\">see every package</a>.</p></div>\n";
  } else {
    write_cards(out, view.result, view.now);
  }
  write_pager(out, query, view.result.total);
  out << "</section>\n</div>\n";

  html::Layout layout;
  layout.title = query.text.empty() ? "Explore" : "Search: " + query.text;
  layout.description = "Find, understand and run packaged eBPF tools with lmp.";
  layout.search = query.text;
  layout.active = "explore";
  return html::render_page(layout, viewer, out.str());
}

std::string render_user(const UserView& view, const html::Viewer& viewer) {
  Writer out;
  out << "<section class=\"profile\">\n<img class=\"avatar\" src=\"" << html::asset_url("user.svg")
      << "\" alt=\"\" width=\"56\" height=\"56\">\n<div><h1>" << view.user.name
      << "</h1>\n<p class=\"muted\">Joined " << html::format_date(view.user.created) << " · "
      << html::format_count(view.packages.total)
      << (view.packages.total == 1 ? " package" : " packages") << "</p></div>\n</section>\n"
      << "<section aria-labelledby=\"user-packages\"><h2 id=\"user-packages\">Packages</h2>\n";
  if (view.packages.packages.empty()) {
    out << "<p class=\"empty\">" << view.user.name << " has not published a package yet.</p>\n";
  } else {
    write_cards(out, view.packages, view.now);
  }
  out << "</section>\n";
  html::Layout layout;
  layout.title = view.user.name;
  layout.description = "Packages published by " + view.user.name + " on lmp hub.";
  layout.active = viewer.user == view.user.name ? "user" : "";
  return html::render_page(layout, viewer, out.str());
}

}  // namespace lmp::hub
