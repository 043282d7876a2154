// lmp search WORDS...: ranked search over the configured repositories: a hub through its
// search API, any other repository through its index.json.
#include <CLI/CLI.hpp>

#include <cstdio>
#include <string>
#include <vector>

#include "cli/command.h"
#include "common/log.h"
#include "common/text_escape.h"
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
  CLI::App app{
      "Search names, tags, summaries and descriptions in the configured repositories\n"
      "(LMP_REPOSITORY, then the bundled catalog). Exact names rank first, then name\n"
      "prefixes, substrings, tags, descriptions. A hub is searched through its API and\n"
      "its download counts are shown. No words: list everything.",
      "lmp search"};
  std::vector<std::string> words;
  app.add_option("words", words, "words that must all match");
  try {
    app.parse(static_cast<int>(args.size()), args.data());
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) return app.exit(e);  // --help
    return fail(ExitCode::kUsage, e.what(), "see lmp search --help");
  }
  registry::Puller puller = LMP_TRY(registry::make_puller());
  auto transport = registry::make_curl_transport();
  registry::RepositorySearch found =
      registry::search_repositories(puller.repositories(), *transport, words);
  if (found.searched == 0)
    return fail(ExitCode::kNotFound, "no hub or repository with an index.json to search",
                "set LMP_REPOSITORY to a repository URL");
  for (const auto& note : found.notes) log::info(escape_text(note));
  if (found.rows.empty()) {
    log::info("no packages match");
    return 0;
  }
  bool downloads = false;
  for (const auto& row : found.rows) downloads = downloads || row.downloads.has_value();
  if (downloads)
    std::printf("%-20s %-10s %9s %-44s %s\n", "NAME", "VERSION", "DOWNLOADS", "SUMMARY", "TAGS");
  else
    std::printf("%-20s %-10s %-52s %s\n", "NAME", "VERSION", "SUMMARY", "TAGS");
  // Every field comes from a repository or a hub: escaped, so none can drive the terminal.
  for (const auto& row : found.rows) {
    std::string tags;
    for (const auto& t : row.tags) tags += (tags.empty() ? "" : ",") + t;
    std::string name = escape_text(row.name), version = escape_text(row.version);
    std::string summary = escape_text(row.summary);
    tags = escape_text(tags);
    if (downloads)
      std::printf("%-20s %-10s %9s %-44s %s\n", name.c_str(), version.c_str(),
                  row.downloads ? std::to_string(*row.downloads).c_str() : "-",
                  clip(summary, 44).c_str(), tags.c_str());
    else
      std::printf("%-20s %-10s %-52s %s\n", name.c_str(), version.c_str(),
                  clip(summary, 52).c_str(), tags.c_str());
  }
  return 0;
}

}  // namespace lmp::cli
