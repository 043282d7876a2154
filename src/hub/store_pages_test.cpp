// The store's pages rendered from records, without a server: structure, test ids and the
// escaping of every value that comes from a package or a user.
#include "hub/store_pages.h"

#include <gtest/gtest.h>

namespace lmp::hub {
namespace {

constexpr const char* kEvil = "<script>alert(1)</script>\"'&";

bool contains_store_pages(const std::string& text, std::string_view part) {
  return text.find(part) != std::string::npos;
}

// No value made it into the page as markup: no script element, no event attribute, no
// style attribute (CSP), no unescaped quote breaking out of an attribute.
void expect_clean(const std::string& page) {
  EXPECT_FALSE(contains_store_pages(page, "<script>")) << page;
  EXPECT_FALSE(contains_store_pages(page, "alert(1)</script>"));
  EXPECT_FALSE(contains_store_pages(page, " onerror="));
  EXPECT_FALSE(contains_store_pages(page, " onclick="));
  EXPECT_FALSE(contains_store_pages(page, "style="));
  EXPECT_FALSE(contains_store_pages(page, "javascript:"));
}

PackageSummary evil_summary() {
  PackageSummary package;
  package.name = "tcpstates";
  package.latest = "1.0.0";
  package.description = kEvil;
  package.author = kEvil;
  package.category = kEvil;
  package.tags = {kEvil};
  package.program_types = {"tracepoint", kEvil};
  package.has_package_json = true;
  package.has_app_wasm = true;
  package.downloads = 1234;
  package.updated = 1000;
  return package;
}

VersionRecord evil_version(const std::string& version) {
  VersionRecord record;
  record.package = "tcpstates";
  record.version = version;
  record.description = kEvil;
  record.summary = kEvil;
  record.author = kEvil;
  record.license = kEvil;
  record.category = kEvil;
  record.homepage = "javascript:alert(1)";
  record.tags = {kEvil};
  record.program_types = {kEvil};
  record.readme =
      "---\nsummary: x\n---\n# tcpstates\n\n<script>alert(1)</script>\n"
      "[x](javascript:alert(1)) <img src=x onerror=alert(1)>\n\n```\na very long line\n```\n";
  record.details = R"({"programs": [{"name": "<b>p</b>", "attach": "tp/sock/inet_sock_set_state",
      "type": "tracepoint"}], "maps": [{"name": "events", "type": "ringbuf", "sample": "<e>"}],
      "options": [{"long": "pid", "short": "p", "type": "int", "default": "0",
      "help": "<script>alert(1)</script>"}], "help_text": "Usage: tcpstates <script>",
      "requirements": {"btf": true, "ring_buffer": true}})";
  record.files = {{"README.md", std::string(64, 'a'), 100},
                  {"package.json", std::string(64, 'b'), 2048}};
  record.publisher = "alice";
  record.published = 1000;
  record.downloads = 7;
  return record;
}

TEST(StorePagesTest, ExploreListsCardsWithFiltersSortAndPaging) {
  ExploreView view;
  view.query.text = kEvil;
  view.query.per_page = 1;
  view.query.page = 2;
  view.result.total = 3;
  view.result.packages = {evil_summary()};
  view.categories = {{kEvil, 2}, {"network", 1}};
  view.program_types = {{"xdp", 1}};
  view.now = 5000;
  std::string page = render_explore(view, {});
  expect_clean(page);
  EXPECT_TRUE(contains_store_pages(page, "data-testid=\"package-card\""));
  EXPECT_TRUE(contains_store_pages(page, "<a href=\"/p/tcpstates\">tcpstates</a>"));
  EXPECT_TRUE(contains_store_pages(page, "JSON package"));
  EXPECT_TRUE(contains_store_pages(page, "WebAssembly"));
  EXPECT_TRUE(contains_store_pages(page, "1,234"));
  EXPECT_TRUE(contains_store_pages(page, "&lt;script&gt;alert(1)&lt;/script&gt;&quot;&#39;&amp;"));
  EXPECT_TRUE(
      contains_store_pages(page,
                           "href=\"/?q=%3Cscript%3Ealert%281%29%3C%2Fscript%3E%22%27%26&amp;"
                           "category=network\""));
  EXPECT_TRUE(contains_store_pages(page, "id=\"sort-updated\""));
  EXPECT_TRUE(contains_store_pages(page, "id=\"page-prev\""));
  EXPECT_TRUE(contains_store_pages(page, "id=\"page-next\""));
  EXPECT_TRUE(contains_store_pages(page, "Page 2 of 3"));
}

TEST(StorePagesTest, ExploreWithoutResultsSaysSo) {
  ExploreView view;
  std::string page = render_explore(view, {});
  EXPECT_TRUE(contains_store_pages(page, "No package matches."));
  EXPECT_FALSE(contains_store_pages(page, "id=\"page-next\""));
  EXPECT_FALSE(
      contains_store_pages(page, "id=\"sort-relevance\""));  // no words: nothing to rank by
}

PackageView evil_package_view() {
  PackageView view;
  view.package.name = "tcpstates";
  view.package.owners = {"alice", "bob"};
  view.package.downloads = 42;
  view.package.downloads_30d = 12;
  view.package.versions = {evil_version("1.1.0"), evil_version("1.0.0")};
  view.package.versions[1].yanked = true;
  view.downloads = {{20788, 3}, {20789, 9}};
  view.public_url = "http://127.0.0.1:8080";
  view.now = 5000;
  return view;
}

TEST(StorePagesTest, PackagePageHasTabsRunLineAndEscapedValues) {
  PackageView view = evil_package_view();
  std::string page = render_package(view, {});
  expect_clean(page);
  EXPECT_TRUE(contains_store_pages(page, "data-testid=\"run-command\">lmp run tcpstates</code>"));
  EXPECT_TRUE(
      contains_store_pages(page, "data-testid=\"pull-command\">lmp pull tcpstates:1.1.0</code>"));
  EXPECT_TRUE(contains_store_pages(page, "data-testid=\"copy-button\""));
  for (const char* tab : {"overview", "versions", "options", "programs"}) {
    EXPECT_TRUE(contains_store_pages(
        page, std::string("id=\"tab-") + tab + "\" href=\"/p/tcpstates?tab=" + tab + "\""));
    EXPECT_TRUE(contains_store_pages(page, std::string("id=\"panel-") + tab + "\""));
  }
  EXPECT_TRUE(contains_store_pages(page,
                                   "id=\"tab-overview\" href=\"/p/tcpstates?tab=overview\" "
                                   "data-tab=\"overview\" aria-current=\"page\""));
  EXPECT_TRUE(contains_store_pages(
      page, "data-panel=\"versions\" aria-labelledby=\"tab-versions\" hidden"));
  EXPECT_TRUE(
      contains_store_pages(page, "<h2>tcpstates</h2>"));  // README headings sit below the <h1>
  EXPECT_TRUE(contains_store_pages(page, "data-testid=\"downloads-chart\""));
  EXPECT_TRUE(contains_store_pages(page, "data-testid=\"downloads-total\">42<"));
  EXPECT_TRUE(contains_store_pages(page, "<a href=\"/u/bob\">bob</a>"));
  EXPECT_TRUE(contains_store_pages(page, "&lt;b&gt;p&lt;/b&gt;"));
  EXPECT_TRUE(contains_store_pages(page, "Usage: tcpstates &lt;script&gt;"));
  EXPECT_TRUE(contains_store_pages(page, "badge-yanked"));
  EXPECT_TRUE(contains_store_pages(page, "2.1 KB"));
  EXPECT_FALSE(contains_store_pages(page, "Homepage"));  // javascript: homepage is not linked
  EXPECT_FALSE(contains_store_pages(page, "data-testid=\"yank-1.1.0\""));  // not an owner
}

TEST(StorePagesTest, PackagePageForAnOwnerHasYankForms) {
  PackageView view = evil_package_view();
  view.can_yank = true;
  view.tab = PackageTab::kVersions;
  view.version_index = 1;
  view.version_chosen = true;
  html::Viewer viewer;
  viewer.user = "alice";
  viewer.csrf_token = "csrf123";
  std::string page = render_package(view, viewer);
  EXPECT_TRUE(contains_store_pages(page, "action=\"/p/tcpstates/1.1.0/yank\""));
  EXPECT_TRUE(contains_store_pages(page, "action=\"/p/tcpstates/1.0.0/unyank\""));
  EXPECT_TRUE(contains_store_pages(page, "name=\"csrf_token\" value=\"csrf123\""));
  EXPECT_TRUE(contains_store_pages(page, "lmp run tcpstates:1.0.0"));
  EXPECT_TRUE(contains_store_pages(page, "This version was yanked"));
  EXPECT_TRUE(contains_store_pages(page,
                                   "id=\"tab-versions\" href=\"/p/tcpstates/1.0.0?tab=versions\" "
                                   "data-tab=\"versions\" aria-current=\"page\""));
}

// The shown version's signer, as the hub verified it at publish time; the key name is a
// value from the uploader, so it is escaped like the others.
TEST(StorePagesTest, PackagePageShowsWhoSignedTheShownVersion) {
  PackageView view = evil_package_view();
  view.package.versions[0].signer_key = "ed25519:0123456789abcdef0123456789abcdef";
  view.package.versions[0].signer_name = "<b>release</b>";
  std::string page = render_package(view, {});
  expect_clean(page);
  EXPECT_TRUE(
      contains_store_pages(page, "class=\"signature signature-signed\" data-testid=\"signature\""));
  EXPECT_TRUE(contains_store_pages(page, "Signed by <strong>&lt;b&gt;release&lt;/b&gt;</strong>"));
  EXPECT_TRUE(contains_store_pages(page, "<code>ed25519:0123456789abcdef0123456789abcdef</code>"));
  EXPECT_FALSE(contains_store_pages(page, "Unsigned"));

  view.version_index = 1;  // 1.0.0 was published unsigned
  view.version_chosen = true;
  page = render_package(view, {});
  EXPECT_TRUE(contains_store_pages(page, "signature-unsigned\" data-testid=\"signature\""));
  EXPECT_TRUE(contains_store_pages(page, ">Unsigned</p>"));
  EXPECT_FALSE(contains_store_pages(page, "Signed by"));
}

TEST(StorePagesTest, PackagePageSurvivesBadDetails) {
  PackageView view = evil_package_view();
  view.package.versions[0].details = "not json {";
  view.package.versions[0].readme.clear();
  std::string page = render_package(view, {});
  EXPECT_TRUE(contains_store_pages(page, "declares no command-line options"));
  EXPECT_TRUE(contains_store_pages(page, "This package has no README."));
}

TEST(StorePagesTest, ParsesTabNames) {
  EXPECT_EQ(parse_package_tab("versions"), PackageTab::kVersions);
  EXPECT_EQ(parse_package_tab("programs"), PackageTab::kPrograms);
  EXPECT_EQ(parse_package_tab("nope"), std::nullopt);
}

TEST(StorePagesTest, AccountPagesCarryCsrfAndLabels) {
  html::Viewer viewer;
  viewer.csrf_token = "tok";
  AccountFormView form;
  form.error = kEvil;
  form.username = kEvil;
  form.next = "/settings";
  for (const std::string& page : {render_login(form, viewer), render_register(form, viewer)}) {
    expect_clean(page);
    EXPECT_TRUE(contains_store_pages(page, "name=\"csrf_token\" value=\"tok\""));
    EXPECT_TRUE(contains_store_pages(page, "<label for=\"username\">"));
    EXPECT_TRUE(contains_store_pages(page, "<label for=\"password\">"));
    EXPECT_TRUE(contains_store_pages(page, "role=\"alert\""));
  }
  EXPECT_TRUE(
      contains_store_pages(render_login(form, viewer), "name=\"next\" value=\"/settings\""));
}

TEST(StorePagesTest, SettingsShowsTheNewTokenOnceAndRevokeForms) {
  SettingsView view;
  view.user.name = "alice";
  view.tokens = {{7, 1, kEvil, 1000, 0}};
  view.new_token = "lmp_secret";
  view.new_token_name = kEvil;
  html::Viewer viewer;
  viewer.user = "alice";
  viewer.csrf_token = "tok";
  std::string page = render_settings(view, viewer);
  expect_clean(page);
  EXPECT_TRUE(contains_store_pages(page, "data-testid=\"new-token\">lmp_secret</code>"));
  EXPECT_TRUE(contains_store_pages(page, "action=\"/settings/tokens/7/revoke\""));
  EXPECT_TRUE(contains_store_pages(page, "never"));
  view.new_token.clear();
  EXPECT_FALSE(contains_store_pages(render_settings(view, viewer), "data-testid=\"new-token\""));
}

TEST(StorePagesTest, UserPageListsPackages) {
  UserView view;
  view.user.name = "alice";
  view.packages.total = 1;
  view.packages.packages = {evil_summary()};
  std::string page = render_user(view, {});
  expect_clean(page);
  EXPECT_TRUE(contains_store_pages(page, "<h1>alice</h1>"));
  EXPECT_TRUE(contains_store_pages(page, "data-testid=\"package-card\""));
}

TEST(StorePagesTest, DocsRenderTheEmbeddedMarkdown) {
  auto readme = render_doc("", {});
  ASSERT_TRUE(readme);
  EXPECT_TRUE(contains_store_pages(*readme, "data-testid=\"doc\""));
  auto hub = render_doc("hub", {});
  ASSERT_TRUE(hub);
  EXPECT_TRUE(contains_store_pages(*hub, "lmp-hub"));
  EXPECT_TRUE(contains_store_pages(*hub, "aria-current=\"page\">Running a hub"));
  EXPECT_FALSE(render_doc("nope", {}));
}

TEST(StorePagesTest, FeedsEscapeValues) {
  FeedView view;
  view.public_url = "http://hub";
  view.versions = {evil_version("1.1.0")};
  std::string atom = render_atom_feed(view);
  EXPECT_TRUE(atom.starts_with("<?xml"));
  EXPECT_TRUE(contains_store_pages(atom, "<id>http://hub/p/tcpstates/1.1.0</id>"));
  EXPECT_TRUE(contains_store_pages(atom, "<summary>&lt;script&gt;"));
  EXPECT_FALSE(contains_store_pages(atom, "<script>"));
  std::string json = render_json_feed(view);
  EXPECT_TRUE(contains_store_pages(json, "\"url\": \"http://hub/p/tcpstates/1.1.0\""));
  EXPECT_TRUE(contains_store_pages(json, "jsonfeed.org/version/1.1"));
}

TEST(StorePagesTest, ErrorPageEscapes) {
  std::string page = render_error(404, kEvil, kEvil, {});
  expect_clean(page);
  EXPECT_TRUE(contains_store_pages(page, ">404<"));
}

}  // namespace
}  // namespace lmp::hub
