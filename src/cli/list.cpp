// lmp list [--json]: the packages in the cache, as a table or JSON, named by the references
// run, rm and info accept.
#include <CLI/CLI.hpp>

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <string>

#include <nlohmann/json.hpp>

#include "cli/command.h"
#include "common/text_escape.h"
#include "registry/cache.h"
#include "registry/cache_reference.h"
#include "registry/progress.h"
#include "registry/semver.h"

namespace lmp::cli {
namespace {

// "2024-05-01T12:00:00Z" -> "3 minutes ago"; the text itself when unparsable.
std::string ago(const std::string& utc) {
  std::tm tm{};
  if (!::strptime(utc.c_str(), "%Y-%m-%dT%H:%M:%SZ", &tm)) return utc;
  long seconds = static_cast<long>(std::difftime(std::time(nullptr), ::timegm(&tm)));
  struct Unit {
    long size;
    const char* name;
  };
  for (Unit u : {Unit{86400 * 365, "year"}, Unit{86400 * 30, "month"}, Unit{86400 * 7, "week"},
                 Unit{86400, "day"}, Unit{3600, "hour"}, Unit{60, "minute"}}) {
    if (seconds >= u.size) {
      long n = seconds / u.size;
      return std::to_string(n) + " " + u.name + (n == 1 ? "" : "s") + " ago";
    }
  }
  return "just now";
}

}  // namespace

Result<int> list_command(Args args) {
  CLI::App app{
      "List the packages in the cache (LMP_HOME). REFERENCE is what lmp run, lmp rm and\n"
      "lmp info accept for each: NAME:VERSION, or the URL or OCI reference it was pulled from.",
      "lmp list"};
  bool json = false;
  app.add_flag("--json", json, "one JSON array with every field");
  try {
    app.parse(static_cast<int>(args.size()), args.data());
  } catch (const CLI::ParseError& e) {
    return parse_error(app, e);
  }
  registry::Cache cache = LMP_TRY(registry::Cache::open(LMP_TRY(registry::lmp_home())));
  auto entries = LMP_TRY(cache.list());
  std::sort(entries.begin(), entries.end(), [](const auto& a, const auto& b) {
    return a.name != b.name ? a.name < b.name
                            : registry::compare_versions(a.version, b.version) > 0;
  });
  if (json) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& e : entries)
      out.push_back({{"name", e.name},
                     {"version", e.version},
                     {"reference", registry::reference_of(e)},
                     {"origin", registry::origin_name(registry::origin_of(e))},
                     {"size", e.size},
                     {"source", e.source},
                     {"pulled_at", e.pulled_at},
                     {"path", e.main_file()}});
    // dump() escapes control characters; invalid UTF-8 becomes U+FFFD rather than a throw.
    std::printf("%s\n", out.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
    return 0;
  }
  // REFERENCE first and as wide as the widest, as `docker images` leads with what `docker
  // run` takes; SOURCE (where a name was found) last.
  std::vector<std::string> refs;
  std::size_t width = std::string_view("REFERENCE").size();
  for (const auto& e : entries) {  // refs.json is input too: every field escaped
    refs.push_back(escape_text(registry::reference_of(e)));
    width = std::max(width, refs.back().size());
  }
  int w = static_cast<int>(std::min<std::size_t>(width, 200));
  std::printf("%-*s %10s  %-16s %s\n", w, "REFERENCE", "SIZE", "PULLED", "SOURCE");
  for (std::size_t i = 0; i < entries.size(); ++i) {
    const auto& e = entries[i];
    bool by_name = registry::origin_of(e) == registry::PackageOrigin::kRepository;
    std::printf("%-*s %10s  %-16s %s\n", w, refs[i].c_str(), registry::human_size(e.size).c_str(),
                escape_text(ago(e.pulled_at)).c_str(),
                by_name ? escape_text(e.source).c_str() : "-");
  }
  return 0;
}

}  // namespace lmp::cli
