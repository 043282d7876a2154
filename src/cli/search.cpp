// lmp search WORDS...: ranked search over the configured repositories: a hub through its
// search API, any other repository through its index.json.
#include <CLI/CLI.hpp>

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

#include "cli/command.h"
#include "common/log.h"
#include "common/terminal.h"
#include "common/text_escape.h"
#include "output/text_format.h"
#include "registry/puller.h"
#include "registry/search.h"

namespace lmp::cli {
namespace {

// `text` padded with spaces to `width` characters (UTF-8), or cut to it with "…".
std::string cell(std::string text, std::size_t width) {
  output::detail::fit_width(text, 0, width);
  std::size_t chars = output::detail::count_chars(text);
  if (chars < width) text.append(width - chars, ' ');
  return text;
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
  // Every field comes from a repository or a hub: escaped, so none can drive the terminal.
  struct Row {
    std::string name, version, downloads, summary, tags;
  };
  std::vector<Row> rows;
  std::size_t name_w = 4, version_w = 7, summary_w = 7;
  for (const auto& row : found.rows) {
    std::string tags;
    for (const auto& t : row.tags) tags += (tags.empty() ? "" : ",") + t;
    rows.push_back({escape_text(row.name), escape_text(row.version),
                    row.downloads ? std::to_string(*row.downloads) : "-", escape_text(row.summary),
                    escape_text(tags)});
    name_w = std::max(name_w, output::detail::count_chars(rows.back().name));
    version_w = std::max(version_w, output::detail::count_chars(rows.back().version));
    summary_w = std::max(summary_w, output::detail::count_chars(rows.back().summary));
  }
  // On a terminal the summary gets what its width leaves (at least 20 characters, the tags
  // at least 12) and each line is cut to the width; a pipe gets every summary whole.
  std::size_t width = terminal::width(STDOUT_FILENO);
  std::size_t fixed = name_w + 1 + version_w + 1 + (downloads ? 10 : 0);
  if (width > 0)
    summary_w =
        std::min(summary_w, std::max<std::size_t>(20, width - std::min(width, fixed + 1 + 12)));
  bool color = terminal::color_enabled(STDOUT_FILENO);
  auto print = [&](const Row& r, bool header) {
    std::string line = cell(r.name, name_w) + ' ' + cell(r.version, version_w) + ' ';
    if (downloads) {
      std::string d = r.downloads;
      line += std::string(d.size() < 9 ? 9 - d.size() : 0, ' ') + d + ' ';
    }
    line += cell(r.summary, summary_w) + ' ' + r.tags;
    while (!line.empty() && line.back() == ' ') line.pop_back();
    output::detail::fit_width(line, 0, width);
    if (header && color) line = std::string(terminal::kBold) + line + std::string(terminal::kReset);
    std::printf("%s\n", line.c_str());
  };
  print({"NAME", "VERSION", "DOWNLOADS", "SUMMARY", "TAGS"}, true);
  for (const auto& row : rows) print(row, false);
  return 0;
}

}  // namespace lmp::cli
