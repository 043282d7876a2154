// The package page: header, the run/pull commands, downloads, owners, and four tabs
// (Overview, Versions, Options, Programs & maps) that are links without JavaScript.
#include <nlohmann/json.hpp>

#include "hub/check_reports.h"
#include "hub/markdown.h"
#include "hub/store_pages.h"
#include "hub/svg_chart.h"

namespace lmp::hub {
namespace {

using html::Writer;
using nlohmann::json;

struct TabInfo {
  PackageTab tab;
  const char* id;
  const char* label;
};
constexpr TabInfo kTabs[] = {{PackageTab::kOverview, "overview", "Overview"},
                             {PackageTab::kVersions, "versions", "Versions"},
                             {PackageTab::kOptions, "options", "Options"},
                             {PackageTab::kPrograms, "programs", "Programs & maps"}};

std::string package_url(const PackageView& view) {
  std::string url = "/p/" + html::url_encode(view.package.name);
  if (view.version_chosen) {
    url += "/" + html::url_encode(view.package.versions[view.version_index].version);
  }
  return url;
}

// The file that identifies a version: package.json, else app.wasm.
const StoredFile* main_file(const VersionRecord& version) {
  const StoredFile* wasm = nullptr;
  for (const StoredFile& file : version.files) {
    if (file.name == "package.json") return &file;
    if (file.name == "app.wasm") wasm = &file;
  }
  return wasm;
}

bool has_file(const VersionRecord& version, std::string_view name) {
  for (const StoredFile& file : version.files) {
    if (file.name == name) return true;
  }
  return false;
}

// A string field of a details object; "" when absent or not a string.
std::string text_of(const json& object, const char* key) {
  auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

const json& array_of(const json& object, const char* key) {
  static const json kEmpty = json::array();
  if (!object.is_object()) return kEmpty;
  auto it = object.find(key);
  return it != object.end() && it->is_array() ? *it : kEmpty;
}

void write_command(Writer& out, std::string_view id, std::string_view command) {
  out << "<div class=\"command\"><code id=\"" << id << "\" data-testid=\"" << id << "\">" << command
      << "</code><button type=\"button\" class=\"copy-button\" data-copy=\"" << id
      << "\" data-testid=\"" << (id == "run-command" ? "copy-button" : "copy-pull-button")
      << "\" aria-label=\"Copy “" << command << "”\"><img src=\"" << html::asset_url("copy.svg")
      << "\" alt=\"\" width=\"16\" height=\"16\"><span>Copy</span></button></div>\n";
}

// Who signed the version: the key's name and fingerprint the hub verified at publish time.
void write_signature(Writer& out, const VersionRecord& version) {
  if (version.signer_key.empty()) {
    out << "<p class=\"signature signature-unsigned\" data-testid=\"signature\" title=\"This "
           "version was published without a signature (lmp.sig)\">Unsigned</p>\n";
    return;
  }
  const std::string& name = version.signer_name.empty() ? version.signer_key : version.signer_name;
  out << "<p class=\"signature signature-signed\" data-testid=\"signature\" title=\"Its "
         "lmp.sig verified when it was published; lmp trust add decides whether you trust the "
         "key\"><span>Signed by <strong>"
      << name << "</strong></span><span aria-hidden=\"true\">·</span><code>" << version.signer_key
      << "</code></p>\n";
}

void write_header(Writer& out, const PackageView& view, const VersionRecord& version) {
  const std::string& summary = version.summary.empty() ? version.description : version.summary;
  out << "<header class=\"package-header\">\n<div class=\"package-title\"><h1 "
         "data-testid=\"package-name\">"
      << view.package.name << "</h1><span class=\"version\" data-testid=\"package-version\">"
      << version.version << "</span>";
  if (version.yanked) out << "<span class=\"badge badge-yanked\">yanked</span>";
  out << "</div>\n";
  if (!summary.empty()) out << "<p class=\"package-summary\">" << summary << "</p>\n";
  out << "<p class=\"package-meta\">";
  if (!version.author.empty()) out << "<span>by " << version.author << "</span>";
  out << "<span>published <time datetime=\"" << html::format_rfc3339(version.published) << "\">"
      << html::format_ago(version.published, view.now) << "</time></span>";
  if (!version.category.empty()) {
    out << "<a class=\"category\" href=\"/?category=" << html::url_encode(version.category) << "\">"
        << version.category << "</a>";
  }
  out << "</p>\n<ul class=\"badges\" aria-label=\"What it carries\">";
  if (has_file(version, "package.json")) out << "<li class=\"badge badge-json\">JSON package</li>";
  if (has_file(version, "app.wasm")) out << "<li class=\"badge badge-wasm\">WebAssembly</li>";
  for (const std::string& type : version.program_types) {
    out << "<li class=\"badge badge-type\"><a href=\"/?type=" << html::url_encode(type) << "\">"
        << type << "</a></li>";
  }
  out << "</ul>\n";
  write_signature(out, version);
  out << "</header>\n";
  if (version.yanked) {
    out << "<p class=\"notice\" role=\"note\">This version was yanked: it stays downloadable as "
           "<code>"
        << view.package.name << ":" << version.version << "</code>, but <code>lmp run "
        << view.package.name << "</code> no longer picks it.</p>\n";
  }
}

// The run and pull lines: first on a phone, top right on a wide screen.
void write_run_box(Writer& out, const PackageView& view, const VersionRecord& version) {
  const PackageRecord& package = view.package;
  std::string reference = package.name;
  if (view.version_chosen) reference += ":" + version.version;
  out << "<aside class=\"package-run side-box\" aria-labelledby=\"run-title\"><h2 "
         "id=\"run-title\">Run it</h2>\n";
  write_command(out, "run-command", "lmp run " + reference);
  out << "<p class=\"hint\">As root. <code>-h</code> lists its options. From this hub: "
         "<code>LMP_REPOSITORY="
      << view.public_url << "</code></p>\n";
  write_command(out, "pull-command", "lmp pull " + package.name + ":" + version.version);
  out << "</aside>\n";
}

// Downloads, owners and facts: right column on a wide screen, after the tabs on a phone.
void write_sidebar(Writer& out, const PackageView& view, const VersionRecord& version) {
  const PackageRecord& package = view.package;
  out << "<aside class=\"package-side\">\n<section class=\"side-box\" "
         "aria-labelledby=\"downloads-title\">"
         "<h2 id=\"downloads-title\">Downloads</h2>\n<dl class=\"stats\"><div><dt>Total</dt><dd "
         "data-testid=\"downloads-total\">"
      << html::format_count(package.downloads)
      << "</dd></div><div><dt>Last 30 days</dt><dd data-testid=\"downloads-30d\">"
      << html::format_count(package.downloads_30d) << "</dd></div></dl>\n"
      << html::Raw{render_downloads_chart(view.downloads)}
      << "\n</section>\n<section class=\"side-box\" aria-labelledby=\"owners-title\">"
         "<h2 id=\"owners-title\">Owners</h2>\n<ul class=\"owners\">";
  for (const std::string& owner : package.owners) {
    out << "<li><a href=\"/u/" << html::url_encode(owner) << "\">" << owner << "</a></li>";
  }
  out << "</ul>\n</section>\n<section class=\"side-box\" aria-labelledby=\"about-title\">"
         "<h2 id=\"about-title\">About</h2>\n<dl class=\"facts\">";
  auto fact = [&](const char* name, const std::string& value) {
    if (value.empty()) return;
    out << "<div><dt>" << std::string_view(name) << "</dt><dd>" << value << "</dd></div>";
  };
  fact("License", version.license);
  fact("Category", version.category);
  fact("Publisher", version.publisher);
  fact("Runs on", runs_on_text(summarize_check_reports(view.check_reports)));
  if (std::string homepage = html::safe_external_url(version.homepage); !homepage.empty()) {
    out << "<div><dt>Homepage</dt><dd><a href=\"" << homepage << "\" rel=\"nofollow noopener\">"
        << homepage << "</a></dd></div>";
  }
  out << "</dl>\n";
  if (!version.tags.empty()) {
    out << "<ul class=\"tags\" aria-label=\"Tags\">";
    for (const std::string& tag : version.tags) {
      out << "<li><a href=\"/?q=" << html::url_encode(tag) << "\">#" << tag << "</a></li>";
    }
    out << "</ul>\n";
  }
  out << "</section>\n</aside>\n";
}

void write_overview(Writer& out, const VersionRecord& version) {
  if (version.readme.empty()) {
    out << "<p class=\"empty\">This package has no README. Its description: " << version.description
        << "</p>\n";
    return;
  }
  MarkdownOptions options;
  options.heading_offset = 1;  // the page's <h1> is the package name
  out << "<article class=\"markdown readme\" data-testid=\"readme\">\n"
      << html::Raw{render_markdown(version.readme, options)} << "</article>\n";
}

void write_versions(Writer& out, const PackageView& view, const html::Viewer& viewer) {
  const PackageRecord& package = view.package;
  out << "<h2 class=\"visually-hidden\">Versions</h2>\n<div class=\"table-box\"><table "
         "class=\"versions\" data-testid=\"versions-table\">\n<thead><tr><th "
         "scope=\"col\">Version</th><th scope=\"col\">Published</th><th scope=\"col\">Size</th>"
         "<th scope=\"col\">Digest</th><th scope=\"col\">Downloads</th>";
  if (view.can_yank) out << "<th scope=\"col\"><span class=\"visually-hidden\">Actions</span></th>";
  out << "</tr></thead>\n<tbody>\n";
  for (const VersionRecord& version : package.versions) {
    std::uint64_t size = 0;
    for (const StoredFile& file : version.files) size += file.size;
    const StoredFile* main = main_file(version);
    std::string url =
        "/p/" + html::url_encode(package.name) + "/" + html::url_encode(version.version);
    out << "<tr data-version=\"" << version.version << "\"";
    if (version.yanked) out << " class=\"yanked\"";
    out << "><th scope=\"row\"><a href=\"" << url << "\">" << version.version << "</a>";
    if (version.yanked) out << " <span class=\"badge badge-yanked\">yanked</span>";
    out << "</th><td><time datetime=\"" << html::format_rfc3339(version.published) << "\">"
        << html::format_date(version.published) << "</time></td><td>" << html::format_size(size)
        << "</td><td>";
    if (main) {
      out << "<code class=\"digest\" title=\"sha256:" << main->sha256 << "\">"
          << std::string_view(main->sha256).substr(0, 12) << "</code>";
    }
    out << "</td><td data-testid=\"version-downloads\">" << html::format_count(version.downloads)
        << "</td>";
    if (view.can_yank) {
      const char* action = version.yanked ? "unyank" : "yank";
      out << "<td><form method=\"post\" action=\"" << url << "/" << std::string_view(action)
          << "\"><input type=\"hidden\" name=\"csrf_token\" value=\"" << viewer.csrf_token
          << "\"><button type=\"submit\" class=\"small-button\" data-testid=\""
          << std::string_view(action) << "-" << version.version << "\">"
          << std::string_view(version.yanked ? "Unyank" : "Yank") << "</button></form></td>";
    }
    out << "</tr>\n";
  }
  out << "</tbody></table></div>\n";
}

void write_options(Writer& out, const json& details, std::string_view name) {
  out << "<h2 class=\"visually-hidden\">Options</h2>\n";
  const json& options = array_of(details, "options");
  std::string help = details.is_object() ? text_of(details, "help_text") : "";
  if (options.empty() && help.empty()) {
    out << "<p class=\"empty\">This package declares no command-line options.</p>\n";
    return;
  }
  if (!help.empty()) {
    out << "<p>What <code>lmp run " << name
        << " -h</code> prints:</p>\n<pre "
           "class=\"help-text\" data-testid=\"help-text\">"
        << help << "</pre>\n";
  }
  if (options.empty()) return;
  out << "<div class=\"table-box\"><table class=\"options\"><thead><tr><th scope=\"col\">Option"
         "</th><th scope=\"col\">Type</th><th scope=\"col\">Default</th><th "
         "scope=\"col\">Description</th></tr></thead>\n<tbody>\n";
  for (const json& option : options) {
    if (!option.is_object()) continue;
    std::string short_name = text_of(option, "short");
    out << "<tr><th scope=\"row\"><code>";
    if (!short_name.empty()) out << "-" << short_name << ", ";
    out << "--" << text_of(option, "long") << "</code></th><td><code>" << text_of(option, "type")
        << "</code></td><td><code>" << text_of(option, "default") << "</code></td><td>"
        << text_of(option, "help") << "</td></tr>\n";
  }
  out << "</tbody></table></div>\n";
}

void write_programs(Writer& out, const json& details, const VersionRecord& version) {
  const json& programs = array_of(details, "programs");
  const json& maps = array_of(details, "maps");
  out << "<h2>Programs</h2>\n";
  if (programs.empty()) {
    out << "<p class=\"empty\">"
        << std::string_view(has_file(version, "package.json")
                                ? "No programs listed."
                                : "A WebAssembly package: its programs are loaded by app.wasm "
                                  "when it runs.")
        << "</p>\n";
  } else {
    out << "<div class=\"table-box\"><table class=\"programs\" data-testid=\"programs-table\">"
           "<thead><tr><th scope=\"col\">Program</th><th scope=\"col\">Type</th><th "
           "scope=\"col\">Attach point</th></tr></thead>\n<tbody>\n";
    for (const json& program : programs) {
      if (!program.is_object()) continue;
      out << "<tr><th scope=\"row\"><code>" << text_of(program, "name") << "</code></th><td>"
          << text_of(program, "type") << "</td><td><code>" << text_of(program, "attach")
          << "</code></td></tr>\n";
    }
    out << "</tbody></table></div>\n";
  }
  out << "<h2>Maps</h2>\n";
  if (maps.empty()) {
    out << "<p class=\"empty\">No maps listed.</p>\n";
  } else {
    out << "<div class=\"table-box\"><table class=\"maps\"><thead><tr><th "
           "scope=\"col\">Map</th><th scope=\"col\">Type</th><th scope=\"col\">Output "
           "(sample type)</th></tr></thead>\n<tbody>\n";
    for (const json& map : maps) {
      if (!map.is_object()) continue;
      out << "<tr><th scope=\"row\"><code>" << text_of(map, "name") << "</code></th><td>"
          << text_of(map, "type") << "</td><td><code>" << text_of(map, "sample")
          << "</code></td></tr>\n";
    }
    out << "</tbody></table></div>\n";
  }
  out << "<h2>Requirements</h2>\n<ul class=\"requirements\">";
  const json requirements =
      details.is_object() && details.contains("requirements") ? details["requirements"] : json();
  auto wants = [&](const char* key) {
    return requirements.is_object() && requirements.contains(key) &&
           requirements[key].is_boolean() && requirements[key].get<bool>();
  };
  out << "<li>Linux with eBPF, run as root or with CAP_BPF and CAP_PERFMON</li>";
  if (wants("btf")) out << "<li>Kernel BTF (<code>/sys/kernel/btf/vmlinux</code>)</li>";
  if (wants("ring_buffer")) out << "<li>BPF ring buffer (Linux 5.8 or later)</li>";
  for (const std::string& type : version.program_types) {
    out << "<li>Program type <code>" << type << "</code></li>";
  }
  out << "</ul>\n";
}

}  // namespace

std::optional<PackageTab> parse_package_tab(std::string_view name) {
  for (const TabInfo& tab : kTabs) {
    if (name == tab.id) return tab.tab;
  }
  return std::nullopt;
}

std::string render_package(const PackageView& view, const html::Viewer& viewer) {
  const VersionRecord& version = view.package.versions.at(view.version_index);
  json details = json::parse(version.details, nullptr, /*allow_exceptions=*/false);
  std::string base = package_url(view);

  Writer out;
  out << "<div class=\"package\">\n";
  write_header(out, view, version);
  out << "<div class=\"package-body\">\n";
  write_run_box(out, view, version);
  out << "<div class=\"package-main\">\n<nav class=\"tabs\" aria-label=\"Package sections\">";
  for (const TabInfo& tab : kTabs) {
    out << "<a id=\"tab-" << std::string_view(tab.id) << "\" href=\"" << base
        << "?tab=" << std::string_view(tab.id) << "\" data-tab=\"" << std::string_view(tab.id)
        << "\"";
    if (tab.tab == view.tab) out << " aria-current=\"page\"";
    out << ">" << std::string_view(tab.label) << "</a>";
  }
  out << "</nav>\n";
  for (const TabInfo& tab : kTabs) {
    out << "<section class=\"panel\" id=\"panel-" << std::string_view(tab.id) << "\" data-panel=\""
        << std::string_view(tab.id) << "\" aria-labelledby=\"tab-" << std::string_view(tab.id)
        << "\"";
    if (tab.tab != view.tab) out << " hidden";
    out << ">\n";
    switch (tab.tab) {
      case PackageTab::kOverview:
        write_overview(out, version);
        break;
      case PackageTab::kVersions:
        write_versions(out, view, viewer);
        break;
      case PackageTab::kOptions:
        write_options(out, details, view.package.name);
        break;
      case PackageTab::kPrograms:
        write_programs(out, details, version);
        break;
    }
    out << "</section>\n";
  }
  out << "</div>\n";
  write_sidebar(out, view, version);
  out << "</div>\n</div>\n";

  html::Layout layout;
  layout.title = view.package.name;
  if (view.version_chosen) layout.title += " " + version.version;
  layout.description = version.summary.empty() ? version.description : version.summary;
  return html::render_page(layout, viewer, out.str());
}

}  // namespace lmp::hub
