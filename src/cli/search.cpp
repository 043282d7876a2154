// lmp search WORDS...: ranked search over the configured repositories' index.json.
#include <cstdio>
#include <string>
#include <vector>

#include "cli/command.h"
#include "common/log.h"
#include "registry/puller.h"
#include "registry/search.h"

namespace lmp::cli {
namespace {

std::string clip(std::string s, std::size_t width) {
  if (s.size() > width) s = s.substr(0, width - 3) + "...";
  return s;
}

}  // namespace

Result<int> search_command(Args args) {
  std::vector<std::string> words;
  for (std::size_t i = 1; i < args.size(); ++i) {
    std::string_view a = args[i];
    if (a == "-h" || a == "--help") {
      std::puts(
          "Usage: lmp search WORDS...\n\nSearches names, tags, summaries and descriptions "
          "in the configured repositories;\nexact names rank first, then name prefixes, "
          "substrings, tags, descriptions.");
      return 0;
    }
    words.emplace_back(a);
  }
  registry::Puller puller = LMP_TRY(registry::make_puller());
  std::vector<registry::SearchSource> sources;
  for (auto& repo : puller.repositories()) {
    auto index = repo.index();
    if (!index) {
      log::warn("skipping " + repo.url() + ": " + index.error().message);
      continue;
    }
    if (*index) sources.push_back({repo.url(), *index});
  }
  if (sources.empty())
    return fail(ExitCode::kNotFound, "no repository with an index.json to search",
                "set LMP_REPOSITORY to a repository URL");
  auto hits = registry::search(sources, words);
  if (hits.empty()) {
    log::info("no packages match");
    return 0;
  }
  std::printf("%-20s %-10s %-52s %s\n", "NAME", "VERSION", "SUMMARY", "TAGS");
  for (const auto& h : hits) {
    std::string summary = h.latest.summary.empty() ? h.latest.description : h.latest.summary;
    std::string tags;
    for (const auto& t : h.latest.tags) tags += (tags.empty() ? "" : ",") + t;
    std::printf("%-20s %-10s %-52s %s\n", h.name.c_str(), h.latest.version.c_str(),
                clip(summary, 52).c_str(), tags.c_str());
  }
  return 0;
}

}  // namespace lmp::cli
