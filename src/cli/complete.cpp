// Hidden `lmp __complete names`: the package names the shell completion scripts offer
// (completions/lmp.bash, completions/_lmp). Commands and options come from `lmp --help` and
// `lmp COMMAND --help` there, so this only answers what help text cannot: the names.
#include <cstdio>
#include <filesystem>
#include <set>
#include <string>
#include <string_view>

#include "cli/command.h"
#include "common/file.h"
#include "registry/cache.h"
#include "registry/index.h"
#include "registry/static_repository.h"

namespace lmp::cli {
namespace {

namespace fs = std::filesystem;

// Names in the index.json of every repository on this machine (file://): a TAB never waits
// on the network.
void add_repository_names(std::set<std::string>& names) {
  for (const auto& url : registry::configured_repositories()) {
    constexpr std::string_view kFile = "file://";
    if (!url.starts_with(kFile)) continue;
    auto text = read_file(fs::path(url.substr(kFile.size())) / "index.json");
    if (!text) continue;
    auto index = registry::parse_index(*text);
    if (!index) continue;
    for (const auto& [name, entry] : index->packages) names.insert(name);
  }
}

// Names of cached packages; nothing when there is no cache yet (none is created).
void add_cached_names(std::set<std::string>& names) {
  auto home = registry::lmp_home();
  std::error_code ec;
  if (!home || !fs::exists(*home / "refs.json", ec)) return;
  auto cache = registry::Cache::open(*home);
  if (!cache) return;
  auto entries = cache->list();
  if (!entries) return;
  for (const auto& e : *entries)
    if (!e.name.empty()) names.insert(e.name);
}

}  // namespace

Result<int> complete_command(Args args) {
  if (args.size() != 2 || std::string_view(args[1]) != "names")
    return fail(ExitCode::kUsage, "lmp __complete: expected 'names'",
                "this command is for the shell completion scripts");
  std::set<std::string> names;
  add_repository_names(names);
  add_cached_names(names);
  for (const auto& name : names) std::printf("%s\n", name.c_str());
  return 0;
}

}  // namespace lmp::cli
