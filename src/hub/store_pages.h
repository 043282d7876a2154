// The web store's pages as pure functions: records from Storage in, a whole HTML document
// out (html::render_page around the page's body). store_routes.cpp reads the request and the
// storage and calls these; tests call them directly. Every value is escaped by html::Writer.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "hub/html.h"
#include "hub/storage.h"

namespace lmp::hub {

using NameCounts = std::vector<std::pair<std::string, std::int64_t>>;

// store_explore.cpp: `/` and `/u/NAME`.
struct ExploreView {
  PackageQuery query;
  PackagePage result;
  NameCounts categories;
  NameCounts program_types;
  UnixTime now = 0;
};
std::string render_explore(const ExploreView& view, const html::Viewer& viewer);

struct UserView {
  User user;
  PackagePage packages;
  UnixTime now = 0;
};
std::string render_user(const UserView& view, const html::Viewer& viewer);

// store_package.cpp: `/p/NAME` and `/p/NAME/VERSION`.
enum class PackageTab { kOverview, kVersions, kOptions, kPrograms };
std::optional<PackageTab> parse_package_tab(std::string_view name);  // "versions", ...

struct PackageView {
  PackageRecord package;
  std::size_t version_index = 0;  // into package.versions: the version shown
  bool version_chosen = false;    // the URL named the version (else it is the latest)
  PackageTab tab = PackageTab::kOverview;
  std::vector<DayCount> downloads;               // the last 30 days, oldest first
  bool can_yank = false;                         // the viewer owns the package (or is an admin)
  std::string public_url;                        // for the `lmp run` line's repository hint
  std::vector<CheckReportRecord> check_reports;  // of the version shown (lmp check --report)
  UnixTime now = 0;
};
std::string render_package(const PackageView& view, const html::Viewer& viewer);

// store_account.cpp: `/login`, `/register`, `/settings`.
struct AccountFormView {
  std::string error;     // shown above the form; empty = none
  std::string username;  // refilled after an error
  std::string email;
  std::string next;  // where to go after logging in (a local path)
};
std::string render_login(const AccountFormView& view, const html::Viewer& viewer);
std::string render_register(const AccountFormView& view, const html::Viewer& viewer);

struct SettingsView {
  User user;
  std::vector<TokenInfo> tokens;
  std::string new_token;  // shown once, right after creation
  std::string new_token_name;
  std::string error;
  std::string hub_url;  // for the `lmp login` line
  UnixTime now = 0;
};
std::string render_settings(const SettingsView& view, const html::Viewer& viewer);

// store_docs.cpp: `/docs`, `/docs/NAME`, the feeds and the error pages.
// `name` is "" for the README, else a doc's base name ("run", "hub", ...). nullopt when
// there is no such page.
std::optional<std::string> render_doc(std::string_view name, const html::Viewer& viewer);

struct FeedView {
  std::vector<VersionRecord> versions;  // newest first
  std::string public_url;               // no trailing '/'
  UnixTime now = 0;
};
std::string render_atom_feed(const FeedView& view);
std::string render_json_feed(const FeedView& view);

// A page for 403, 404, 429, 500...: title and message are text.
std::string render_error(int status, std::string_view title, std::string_view message,
                         const html::Viewer& viewer);

}  // namespace lmp::hub
