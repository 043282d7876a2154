#include "registry/search.h"

#include <algorithm>
#include <set>

#include "common/edit_distance.h"
#include "common/log.h"
#include "registry/hub_client.h"

namespace lmp::registry {
namespace {

std::string lower_search(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

int score_word(const std::string& word, const std::string& name, const VersionEntry& v) {
  if (name == word) return 100;
  if (name.starts_with(word)) return 60;
  if (name.find(word) != std::string::npos) return 40;
  for (const auto& tag : v.tags)
    if (lower_search(tag) == word) return 25;
  if (lower_search(v.summary).find(word) != std::string::npos ||
      lower_search(v.description).find(word) != std::string::npos)
    return 10;
  return 0;
}

}  // namespace

std::vector<SearchHit> search(const std::vector<SearchSource>& sources,
                              const std::vector<std::string>& words) {
  std::vector<std::string> needles;
  for (const auto& w : words)
    if (!w.empty()) needles.push_back(lower_search(w));
  std::set<std::string> seen;
  std::vector<SearchHit> hits;
  for (const auto& source : sources) {
    if (!source.index) continue;
    for (const auto& [name, pkg] : source.index->packages) {
      const VersionEntry* latest = pkg.latest();
      if (!latest || seen.contains(name)) continue;
      int total = 0;
      bool all = true;
      for (const auto& w : needles) {
        int s = score_word(w, name, *latest);
        if (s == 0) all = false;
        total += s;
      }
      if (!all) continue;
      seen.insert(name);
      hits.push_back({name, *latest, source.repository, total});
    }
  }
  std::sort(hits.begin(), hits.end(), [](const SearchHit& a, const SearchHit& b) {
    return a.score != b.score ? a.score > b.score : a.name < b.name;
  });
  return hits;
}

RepositorySearch search_repositories(std::vector<StaticRepository>& repositories,
                                     OciTransport& transport,
                                     const std::vector<std::string>& words) {
  RepositorySearch result;
  std::vector<std::string> needles;
  for (const auto& w : words)
    if (!w.empty()) needles.push_back(lower_search(w));
  // Rows of all repositories are ranked together as search() ranks one; a hub's rows are
  // scored the same way but never dropped (the hub also matches words this scorer does not).
  std::vector<std::pair<int, SearchRow>> ranked;
  std::set<std::string> seen;
  for (auto& repo : repositories) {
    if (is_hub_repository(transport, repo.url())) {
      auto found = HubClient(transport, repo.url()).search(words);
      if (!found) {
        log::warn("skipping " + repo.url() + ": " + found.error().message);
        continue;
      }
      ++result.searched;
      for (auto& p : found->packages) {
        if (!seen.insert(p.name).second) continue;
        VersionEntry v;
        v.summary = p.summary;
        v.description = p.description;
        v.tags = p.tags;
        int score = 0;
        for (const auto& w : needles) score += score_word(w, p.name, v);
        ranked.push_back({score,
                          {p.name, p.latest, p.summary.empty() ? p.description : p.summary,
                           std::move(p.tags), p.downloads, repo.url()}});
      }
      if (found->total > found->packages.size())
        result.notes.push_back("showing " + std::to_string(found->packages.size()) + " of " +
                               std::to_string(found->total) + " matches of " + repo.url() +
                               "; add words to narrow the search");
      continue;
    }
    auto index = repo.index();
    if (!index) {
      log::warn("skipping " + repo.url() + ": " + index.error().message);
      continue;
    }
    if (!*index) continue;
    ++result.searched;
    for (auto& hit : search({{repo.url(), *index}}, words)) {
      if (!seen.insert(hit.name).second) continue;
      const VersionEntry& v = hit.latest;
      ranked.push_back({hit.score,
                        {hit.name, v.version, v.summary.empty() ? v.description : v.summary, v.tags,
                         std::nullopt, repo.url()}});
    }
  }
  std::stable_sort(ranked.begin(), ranked.end(), [](const auto& a, const auto& b) {
    return a.first != b.first ? a.first > b.first : a.second.name < b.second.name;
  });
  for (auto& [score, row] : ranked) result.rows.push_back(std::move(row));
  return result;
}

std::vector<std::string> closest_names(std::string_view name, const std::vector<std::string>& names,
                                       std::size_t max) {
  std::vector<std::pair<std::size_t, std::string>> ranked;
  std::size_t limit = std::max<std::size_t>(2, name.size() / 3);
  for (const auto& n : names) {
    std::size_t d = lmp::edit_distance(name, n);
    if (n.find(name) != std::string::npos || name.find(n) != std::string::npos)
      d = std::min(d, limit);
    if (d <= limit) ranked.emplace_back(d, n);
  }
  std::sort(ranked.begin(), ranked.end());
  std::vector<std::string> out;
  for (std::size_t i = 0; i < ranked.size() && i < max; ++i) out.push_back(ranked[i].second);
  return out;
}

}  // namespace lmp::registry
