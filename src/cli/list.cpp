// lmp list [--json]: the packages in the cache, as a table or JSON.
#include <algorithm>
#include <cstdio>
#include <ctime>
#include <string>

#include <nlohmann/json.hpp>

#include "cli/command.h"
#include "common/text_escape.h"
#include "registry/cache.h"
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
  bool json = false;
  for (std::size_t i = 1; i < args.size(); ++i) {
    std::string_view a = args[i];
    if (a == "--json") {
      json = true;
    } else if (a == "-h" || a == "--help") {
      std::puts("Usage: lmp list [--json]\n\nLists the packages in the cache (LMP_HOME).");
      return 0;
    } else {
      return fail(ExitCode::kUsage, "lmp list: unexpected argument '" + std::string(a) + "'");
    }
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
                     {"size", e.size},
                     {"source", e.source},
                     {"pulled_at", e.pulled_at},
                     {"path", e.main_file()}});
    // dump() escapes control characters; invalid UTF-8 becomes U+FFFD rather than a throw.
    std::printf("%s\n", out.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
    return 0;
  }
  std::printf("%-24s %-12s %10s  %-16s %s\n", "NAME", "VERSION", "SIZE", "PULLED", "SOURCE");
  for (const auto& e : entries) {  // refs.json is input too: every field escaped
    std::printf("%-24s %-12s %10s  %-16s %s\n", escape_text(e.name).c_str(),
                e.version.empty() ? "-" : escape_text(e.version).c_str(),
                registry::human_size(e.size).c_str(), escape_text(ago(e.pulled_at)).c_str(),
                escape_text(e.source).c_str());
  }
  return 0;
}

}  // namespace lmp::cli
