// The docs pages (the project's own Markdown, embedded at build time), the feeds of new
// versions (Atom and JSON Feed) and the error page.
#include <nlohmann/json.hpp>

#include "hub/markdown.h"
#include "hub/store_assets.h"
#include "hub/store_pages.h"

namespace lmp::hub {
namespace {

using html::Writer;

struct DocPage {
  const char* name;  // URL name: /docs/NAME ("" = /docs)
  const char* file;  // embedded file
  const char* title;
};
constexpr DocPage kDocs[] = {{"", "README.md", "Getting started"},
                             {"run", "run.md", "Running packages"},
                             {"references", "references.md", "Package references"},
                             {"hub", "hub.md", "Running a hub"}};

const DocPage* find_doc(std::string_view name) {
  for (const DocPage& doc : kDocs) {
    if (name == doc.name) return &doc;
  }
  return nullptr;
}

// "docs/run.md#options", "run.md", "../README.md" -> the store's URL of that page; other
// URLs unchanged.
std::string rewrite_doc_link(std::string_view url) {
  std::string_view path = url.substr(0, url.find('#'));
  std::string_view fragment = url.substr(path.size());
  std::string_view file =
      path.substr(path.rfind('/') == std::string_view::npos ? 0 : path.rfind('/') + 1);
  if (path.find(':') != std::string_view::npos || !file.ends_with(".md")) return std::string(url);
  for (const DocPage& doc : kDocs) {
    if (file == doc.file) {
      return (doc.name[0] ? "/docs/" + std::string(doc.name) : std::string("/docs")) +
             std::string(fragment);
    }
  }
  return std::string(url);
}

std::string version_url(const FeedView& view, const VersionRecord& version) {
  return view.public_url + "/p/" + html::url_encode(version.package) + "/" +
         html::url_encode(version.version);
}

}  // namespace

std::optional<std::string> render_doc(std::string_view name, const html::Viewer& viewer) {
  const DocPage* doc = find_doc(name);
  const EmbeddedAsset* file = doc ? find_store_doc(doc->file) : nullptr;
  if (!file) return std::nullopt;
  MarkdownOptions options;
  options.rewrite_link = rewrite_doc_link;
  Writer out;
  out << "<div class=\"docs\">\n<nav class=\"docs-nav\" aria-label=\"Documentation\"><ul>";
  for (const DocPage& page : kDocs) {
    out << "<li><a href=\""
        << (page.name[0] ? "/docs/" + std::string(page.name) : std::string("/docs")) << "\"";
    if (&page == doc) out << " aria-current=\"page\"";
    out << ">" << std::string_view(page.title) << "</a></li>";
  }
  out << "</ul></nav>\n<article class=\"markdown\" data-testid=\"doc\">\n"
      << html::Raw{render_markdown(file->content, options)} << "</article>\n</div>\n";
  html::Layout layout;
  layout.title = doc->title;
  layout.description = "How to install and use the lmp command line.";
  layout.active = "docs";
  return html::render_page(layout, viewer, out.str());
}

std::string render_atom_feed(const FeedView& view) {
  Writer out;
  UnixTime updated = view.versions.empty() ? view.now : view.versions.front().published;
  out << "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed "
         "xmlns=\"http://www.w3.org/2005/Atom\">\n<title>lmp hub: new versions</title>\n<id>"
      << view.public_url << "/</id>\n<link rel=\"self\" href=\"" << view.public_url
      << "/feed.atom\"/>\n<link href=\"" << view.public_url << "/\"/>\n<updated>"
      << html::format_rfc3339(updated) << "</updated>\n";
  for (const VersionRecord& version : view.versions) {
    std::string url = version_url(view, version);
    out << "<entry>\n<title>" << version.package << " " << version.version << "</title>\n<id>"
        << url << "</id>\n<link href=\"" << url << "\"/>\n<updated>"
        << html::format_rfc3339(version.published) << "</updated>\n<author><name>"
        << (version.publisher.empty() ? version.author : version.publisher) << "</name></author>\n";
    const std::string& summary = version.summary.empty() ? version.description : version.summary;
    if (!summary.empty()) out << "<summary>" << summary << "</summary>\n";
    if (!version.category.empty()) out << "<category term=\"" << version.category << "\"/>\n";
    out << "</entry>\n";
  }
  out << "</feed>\n";
  return out.take();
}

std::string render_json_feed(const FeedView& view) {
  using nlohmann::json;
  json items = json::array();
  for (const VersionRecord& version : view.versions) {
    std::string url = version_url(view, version);
    json item = {{"id", url},
                 {"url", url},
                 {"title", version.package + " " + version.version},
                 {"content_text", version.description},
                 {"date_published", html::format_rfc3339(version.published)},
                 {"authors", json::array({{{"name", version.publisher}}})}};
    if (!version.summary.empty()) item["summary"] = version.summary;
    if (!version.tags.empty()) item["tags"] = version.tags;
    items.push_back(std::move(item));
  }
  json feed = {{"version", "https://jsonfeed.org/version/1.1"},
               {"title", "lmp hub: new versions"},
               {"home_page_url", view.public_url + "/"},
               {"feed_url", view.public_url + "/feed.json"},
               {"items", std::move(items)}};
  // Invalid UTF-8 from a package is replaced rather than failing the whole feed.
  return feed.dump(2, ' ', false, json::error_handler_t::replace) + "\n";
}

std::string render_error(int status, std::string_view title, std::string_view message,
                         const html::Viewer& viewer) {
  Writer out;
  out << "<section class=\"error-page\" data-testid=\"error-page\">\n<p class=\"error-status\">"
      << std::int64_t{status} << "</p>\n<h1>" << title << "</h1>\n<p>" << message
      << "</p>\n<p><a href=\"/\">Explore packages</a> · <a href=\"/docs\">Read the docs</a></p>\n"
         "</section>\n";
  html::Layout layout;
  layout.title = std::string(title);
  return html::render_page(layout, viewer, out.str());
}

}  // namespace lmp::hub
