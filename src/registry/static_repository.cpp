#include "registry/static_repository.h"

#include <unistd.h>

#include <cstdlib>
#include <filesystem>

#include "registry/semver.h"

namespace lmp::registry {
namespace {

namespace fs = std::filesystem;

std::string trim_static_repository(std::string s) {
  auto blank = [](char c) { return c == ' ' || c == '\t' || c == '\n'; };
  while (!s.empty() && blank(s.back())) s.pop_back();
  while (!s.empty() && blank(s.front())) s.erase(s.begin());
  return s;
}

// The bundled catalog, installed beside the binary.
std::optional<std::string> find_bundled_catalog() {
  std::error_code ec;
  fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (ec) return std::nullopt;
  for (fs::path dir : {exe.parent_path() / "../share/lmp/catalog", exe.parent_path() / "catalog"}) {
    if (fs::is_regular_file(dir / "index.json", ec))
      return "file://" + fs::weakly_canonical(dir, ec).string();
  }
  return std::nullopt;
}

}  // namespace

std::optional<std::string> bundled_catalog() {
  // Where lmp is installed does not change while it runs: looked up once (a run that
  // verifies signatures asks three times).
  static const std::optional<std::string> found = find_bundled_catalog();
  return found;
}

StaticRepository::StaticRepository(std::string base_url, HttpClient& http)
    : base_url_(std::move(base_url)), http_(http) {
  while (base_url_.size() > 1 && base_url_.back() == '/') base_url_.pop_back();
}

Result<const Index*> StaticRepository::index() {
  if (!index_loaded_) {
    auto text = http_.fetch(base_url_ + "/index.json");
    if (!text && text.error().code != ExitCode::kNotFound) return std::unexpected(text.error());
    if (text) {
      auto parsed = parse_index(*text);
      if (!parsed) return std::unexpected(std::move(parsed.error()).context(base_url_));
      index_ = std::move(*parsed);
    }
    index_loaded_ = true;
  }
  return index_ ? &*index_ : nullptr;
}

Result<ResolvedPackage> StaticRepository::resolve(const std::string& name,
                                                  const std::string& version) {
  const Index* idx = LMP_TRY(index());
  ResolvedPackage r;
  r.name = name;
  if (!idx) {
    if (!version.empty() && !parse_semver(version))
      return fail(ExitCode::kNotFound,
                  "no version " + version + " of '" + name + "' in " + base_url_,
                  "a repository without index.json knows exact versions only (1.2.0)");
    r.probe = true;
    r.source = base_url_ + "/" + name + (version.empty() ? "" : "/" + version);
    for (const char* file : {"app.wasm", "package.json"})
      r.files.push_back({file, r.source + "/" + file, "", 0});
    r.version = version;
    return r;
  }
  const PackageEntry* pkg = idx->find(name);
  if (!pkg) return fail(ExitCode::kNotFound, "no package '" + name + "' in " + base_url_);
  const VersionEntry* v = pkg->find(version);
  if (!v) {
    std::string known;
    for (const auto& s : pkg->sorted_versions()) known += (known.empty() ? "" : ", ") + s;
    return fail(ExitCode::kNotFound, "no version " + version + " of '" + name + "' in " + base_url_,
                "available: " + known);
  }
  r.version = v->version;
  r.source = base_url_ + "/" + name + "/" + v->version;
  for (const auto& f : v->files)
    r.files.push_back({f.name, r.source + "/" + f.name, f.sha256, f.size});
  r.metadata = *v;
  return r;
}

std::vector<std::string> configured_repositories() {
  std::vector<std::string> urls;
  if (const char* env = std::getenv("LMP_REPOSITORY"); env && *env) {
    std::string all = env;
    std::size_t start = 0;
    for (;;) {
      std::size_t comma = all.find(',', start);
      std::string url = trim_static_repository(all.substr(start, comma - start));
      if (url.starts_with("/")) url = "file://" + url;  // a plain directory
      if (!url.empty()) urls.push_back(url);
      if (comma == std::string::npos) break;
      start = comma + 1;
    }
  }
  if (auto catalog = bundled_catalog()) urls.push_back(*catalog);
  return urls;
}

}  // namespace lmp::registry
