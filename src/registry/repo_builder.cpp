#include "registry/repo_builder.h"

#include <algorithm>

#include "common/file.h"
#include "package/config.h"
#include "registry/digest.h"
#include "registry/index.h"

namespace lmp::registry {
namespace {

namespace fs = std::filesystem;

bool is_package_dir(const fs::path& dir) {
  std::error_code ec;
  return fs::is_regular_file(dir / "package.json", ec) || fs::is_regular_file(dir / "app.wasm", ec);
}

std::string strip_quotes(std::string s) {
  if (s.size() >= 2 && (s.front() == '"' || s.front() == '\'') && s.back() == s.front())
    s = s.substr(1, s.size() - 2);
  return s;
}

// Copies the package's files into `dest` (replacing it) and returns their entries.
Result<std::vector<FileEntry>> copy_files(const fs::path& from, const fs::path& dest) {
  std::error_code ec;
  fs::create_directories(dest, ec);
  if (ec) return fail(ExitCode::kFailure, "cannot create " + dest.string() + ": " + ec.message());
  std::vector<FileEntry> files;
  for (const char* name : kPackageFiles) {
    if (!fs::is_regular_file(from / name, ec)) {
      fs::remove(dest / name, ec);  // a stale copy of an older version
      continue;
    }
    std::string bytes = LMP_TRY(read_file(from / name));
    LMP_CHECK(write_file_atomic(dest / name, bytes));
    files.push_back({name, sha256_hex(bytes), bytes.size()});
  }
  std::sort(files.begin(), files.end(),
            [](const FileEntry& a, const FileEntry& b) { return a.name < b.name; });
  return files;
}

Result<BuiltVersion> add_package(const fs::path& dir, const fs::path& out, Index& index) {
  std::error_code ec;
  if (!fs::is_regular_file(dir / "config.json", ec))
    return fail(ExitCode::kBadPackage, dir.string() + ": no config.json",
                "a published package needs config.json with name and version");
  package::Config config = LMP_TRY(package::read_config_file(dir / "config.json"));
  if (!package::is_valid_package_name(config.name) || !package::is_valid_semver(config.version))
    return fail(ExitCode::kBadPackage, dir.string() + ": bad name or version in config.json");
  VersionEntry v;
  v.version = config.version;
  v.description = config.description;
  v.author = config.author;
  v.license = config.license;
  v.category = config.category;
  v.tags = config.tags;
  if (auto readme = read_file(dir / "README.md")) v.summary = readme_summary(*readme);
  v.files = LMP_TRY(copy_files(dir, out / config.name / config.version));
  PackageEntry& pkg = index.packages[config.name];
  pkg.name = config.name;
  pkg.versions[config.version] = std::move(v);
  return BuiltVersion{config.name, config.version};
}

}  // namespace

std::string readme_summary(std::string_view readme) {
  auto next_line = [&]() {
    std::size_t nl = readme.find('\n');
    std::string_view line = readme.substr(0, nl);
    readme.remove_prefix(nl == std::string_view::npos ? readme.size() : nl + 1);
    if (line.ends_with('\r')) line.remove_suffix(1);
    return line;
  };
  if (next_line() != "---") return "";
  while (!readme.empty()) {
    std::string_view line = next_line();
    if (line == "---" || line == "...") break;
    if (!line.starts_with("summary:")) continue;
    std::string value(line.substr(8));
    value.erase(0, value.find_first_not_of(" \t"));
    while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.pop_back();
    return strip_quotes(value);
  }
  return "";
}

Result<std::vector<BuiltVersion>> build_repository(const fs::path& src, const fs::path& out) {
  std::error_code ec;
  if (!fs::is_directory(src, ec))
    return fail(ExitCode::kNotFound, src.string() + " is not a directory");
  Index index;
  if (auto existing = read_file(out / "index.json")) {
    auto parsed = parse_index(*existing);
    if (!parsed) return std::unexpected(std::move(parsed.error()).context(out.string()));
    index = std::move(*parsed);
  }
  std::vector<fs::path> dirs;
  if (is_package_dir(src)) dirs.push_back(src);
  for (const auto& entry : fs::directory_iterator(src, ec))
    if (entry.is_directory() && is_package_dir(entry.path())) dirs.push_back(entry.path());
  if (dirs.empty())
    return fail(ExitCode::kNotFound, "no packages in " + src.string(),
                "expected directories holding package.json or app.wasm and config.json");
  std::sort(dirs.begin(), dirs.end());

  std::vector<BuiltVersion> built;
  for (const auto& dir : dirs) built.push_back(LMP_TRY(add_package(dir, out, index)));
  for (const auto& b : built) {
    const VersionEntry* latest = index.packages[b.name].latest();
    if (latest && latest->version == b.version)
      LMP_CHECK(copy_files(out / b.name / b.version, out / b.name));
  }
  LMP_CHECK(write_file_atomic(out / "index.json", write_index(index)));
  std::sort(built.begin(), built.end(), [](const BuiltVersion& a, const BuiltVersion& b) {
    return a.name != b.name ? a.name < b.name : a.version < b.version;
  });
  return built;
}

}  // namespace lmp::registry
