#include "registry/repo_builder.h"

#include <algorithm>

#include "common/file.h"
#include "package/config.h"
#include "registry/digest.h"
#include "registry/index.h"
#include "registry/signing.h"
#include "registry/stale_wasm.h"

namespace lmp::registry {
namespace {

namespace fs = std::filesystem;

// What goes into a repository is published to everyone, so only regular files inside the
// source tree are read: a symbolic link (README.md -> /etc/passwd, a directory linked from
// elsewhere) or a device, FIFO or socket is refused rather than followed. `root` is SRC,
// canonical.
Result<bool> source_file(const fs::path& root, const fs::path& path) {
  std::error_code ec;
  fs::file_status st = fs::symlink_status(path, ec);
  if (!fs::exists(st)) return false;
  if (fs::is_symlink(st))
    return fail(ExitCode::kBadPackage, path.string() + " is a symbolic link",
                "lmp repo build copies only regular files; replace the link with the file");
  if (!fs::is_regular_file(st))
    return fail(ExitCode::kBadPackage, path.string() + " is not a regular file");
  fs::path real = fs::canonical(path, ec);
  fs::path rel = real.lexically_relative(root);
  if (ec || rel.empty() || *rel.begin() == "..")
    return fail(ExitCode::kBadPackage, path.string() + " lies outside " + root.string());
  return true;
}

// A directory holding package.json or app.wasm (links are refused, not followed).
Result<bool> is_package_dir(const fs::path& root, const fs::path& dir) {
  bool json = LMP_TRY(source_file(root, dir / "package.json"));
  bool wasm = LMP_TRY(source_file(root, dir / "app.wasm"));
  return json || wasm;
}

std::string strip_quotes(std::string s) {
  if (s.size() >= 2 && (s.front() == '"' || s.front() == '\'') && s.back() == s.front())
    s = s.substr(1, s.size() - 2);
  return s;
}

// Copies the package's files into `dest` (replacing it) and returns their entries. `root`
// is the tree `from` must not leave (SRC, or OUT for the copy of the latest version).
Result<std::vector<FileEntry>> copy_files(const fs::path& root, const fs::path& from,
                                          const fs::path& dest) {
  std::error_code ec;
  fs::create_directories(dest, ec);
  if (ec) return fail(ExitCode::kFailure, "cannot create " + dest.string() + ": " + ec.message());
  std::vector<FileEntry> files;
  for (const char* name : kPackageFiles) {
    if (!LMP_TRY(source_file(root, from / name))) {
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

Result<BuiltVersion> add_package(const fs::path& root, const fs::path& dir, const fs::path& out,
                                 Index& index) {
  if (!LMP_TRY(source_file(root, dir / "config.json")))
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
  if (LMP_TRY(source_file(root, dir / "README.md")))
    v.summary = readme_summary(LMP_TRY(read_file(dir / "README.md")));
  v.files = LMP_TRY(copy_files(root, dir, out / config.name / config.version));
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

Result<std::vector<BuiltVersion>> build_repository(const fs::path& src, const fs::path& out,
                                                   bool force) {
  std::error_code ec;
  if (!fs::is_directory(src, ec))
    return fail(ExitCode::kNotFound, src.string() + " is not a directory");
  Index index;
  if (auto existing = read_file(out / "index.json")) {
    auto parsed = parse_index(*existing);
    if (!parsed) return std::unexpected(std::move(parsed.error()).context(out.string()));
    index = std::move(*parsed);
  }
  fs::path root = fs::canonical(src, ec);
  if (ec) return fail(ExitCode::kFailure, "cannot resolve " + src.string() + ": " + ec.message());
  std::vector<fs::path> dirs;
  if (LMP_TRY(is_package_dir(root, root))) dirs.push_back(root);
  for (const auto& entry : fs::directory_iterator(root, ec)) {
    // Linked directories are not followed: they may lead anywhere on this machine.
    if (entry.is_symlink() || !entry.is_directory()) continue;
    if (LMP_TRY(is_package_dir(root, entry.path()))) dirs.push_back(entry.path());
  }
  if (dirs.empty())
    return fail(ExitCode::kNotFound, "no packages in " + src.string(),
                "expected directories holding package.json or app.wasm and config.json");
  std::sort(dirs.begin(), dirs.end());
  if (!force) {
    for (const auto& dir : dirs)
      LMP_CHECK(check_wasm_matches_package(dir, "lmp repo build --force"));
  }
  for (const auto& dir : dirs) {
    if (!LMP_TRY(source_file(root, dir / kSignatureFile))) continue;
    if (auto verified = verify_package(dir); !verified) {
      Error error = verified.error();
      error.hint = "sign it again after its last build (lmp sign " + dir.string() +
                   "), or remove its lmp.sig";
      return std::unexpected(std::move(error));
    }
  }

  std::vector<BuiltVersion> built;
  for (const auto& dir : dirs) built.push_back(LMP_TRY(add_package(root, dir, out, index)));
  fs::path out_root = fs::canonical(out, ec);
  if (ec) return fail(ExitCode::kFailure, "cannot resolve " + out.string() + ": " + ec.message());
  for (const auto& b : built) {
    const VersionEntry* latest = index.packages[b.name].latest();
    if (latest && latest->version == b.version)
      LMP_CHECK(copy_files(out_root, out_root / b.name / b.version, out_root / b.name));
  }
  LMP_CHECK(write_file_atomic(out / "index.json", write_index(index)));
  std::sort(built.begin(), built.end(), [](const BuiltVersion& a, const BuiltVersion& b) {
    return a.name != b.name ? a.name < b.name : a.version < b.version;
  });
  return built;
}

}  // namespace lmp::registry
