#include "registry/lock_file.h"

#include <algorithm>

#include "common/file.h"
#include "package/json_field.h"
#include "registry/digest.h"
#include "registry/reference.h"
#include "registry/semver.h"

namespace lmp::registry {
namespace {

using nlohmann::json;
using package::path_index;
using package::path_key;

Result<std::string> text_field(const json& object, const std::string& path, const char* key,
                               bool may_be_empty) {
  auto it = object.find(key);
  std::string where = path_key(path, key);
  if (it == object.end()) return package::field_error(where, "missing, expected a string");
  if (!it->is_string()) return package::field_error(where, "expected a string");
  std::string value = it->get<std::string>();
  if (value.empty() && !may_be_empty) return package::field_error(where, "must not be empty");
  return value;
}

Result<SourceKind> parse_kind(const std::string& text, const std::string& where) {
  if (text == "repository") return SourceKind::kRepository;
  if (text == "url") return SourceKind::kUrl;
  if (text == "oci") return SourceKind::kOci;
  if (text == "git") return SourceKind::kGit;
  return package::field_error(where,
                              "expected repository, url, oci or git, got \"" + text + "\"");
}

Result<LockedPackage> parse_entry(const json& item, const std::string& path) {
  LMP_CHECK(package::expect_object(item, path));
  LockedPackage p;
  p.name = LMP_TRY(text_field(item, path, "name", false));
  if (!is_package_name(p.name))
    return package::field_error(path_key(path, "name"), "is not a valid package name");
  p.version = LMP_TRY(text_field(item, path, "version", true));
  if (!p.version.empty() && !parse_semver(p.version))
    return package::field_error(path_key(path, "version"), "is not a semantic version");
  p.kind =
      LMP_TRY(parse_kind(LMP_TRY(text_field(item, path, "from", false)), path_key(path, "from")));
  p.source = LMP_TRY(text_field(item, path, "source", false));
  p.file = LMP_TRY(text_field(item, path, "file", false));
  if (p.file != "app.wasm" && p.file != "package.json" && p.file != "package.yaml")
    return package::field_error(path_key(path, "file"),
                                "expected app.wasm, package.json or package.yaml");
  p.sha256 = LMP_TRY(text_field(item, path, "sha256", false));
  if (!is_sha256_hex(p.sha256))
    return package::field_error(path_key(path, "sha256"), "expected 64 lowercase hex digits");
  const json* by = LMP_TRY(package::find_array(item, path, "required_by"));
  if (by == nullptr) return package::field_error(path_key(path, "required_by"), "missing");
  for (std::size_t i = 0; i < by->size(); ++i) {
    if (!(*by)[i].is_string() || !is_package_name((*by)[i].get<std::string>()))
      return package::field_error(path_index(path_key(path, "required_by"), i),
                                  "expected a package name");
    p.required_by.push_back((*by)[i].get<std::string>());
  }
  return p;
}

Result<LockFile> parse_lock_json(std::string_view text) {
  json doc;
  try {
    doc = json::parse(text);
  } catch (const json::parse_error& e) {
    return fail(ExitCode::kBadPackage,
                "truncated or invalid JSON at byte " + std::to_string(e.byte));
  } catch (const json::exception& e) {  // a number too large for a double (1e999)
    return fail(ExitCode::kBadPackage, std::string("invalid JSON: ") + e.what());
  }
  if (!doc.is_object()) return fail(ExitCode::kBadPackage, "expected a JSON object");
  auto version = doc.find("lock_version");
  if (version == doc.end() || !version->is_number_unsigned())
    return package::field_error("lock_version", "expected a number");
  if (version->get<unsigned long long>() != kLockVersion)
    return package::field_error("lock_version",
                                "is " + version->dump() + "; this lmp reads version " +
                                    std::to_string(kLockVersion) + " (run 'lmp lock' again)");
  LockFile lock;
  lock.root = LMP_TRY(text_field(doc, "", "root", false));
  const json* deps =
      LMP_TRY(package::find_object(doc, "", "dependencies", package::Need::kRequired));
  lock.dependencies = *deps;
  const json* packages = LMP_TRY(package::find_array(doc, "", "packages"));
  if (packages == nullptr) return package::field_error("packages", "missing, expected an array");
  for (std::size_t i = 0; i < packages->size(); ++i) {
    LockedPackage p = LMP_TRY(parse_entry((*packages)[i], path_index("packages", i)));
    if (lock.find(p.name))
      return package::field_error(path_index("packages", i), "lists " + p.name + " twice");
    lock.packages.push_back(std::move(p));
  }
  return lock;
}

}  // namespace

std::string_view to_string(SourceKind kind) {
  switch (kind) {
    case SourceKind::kRepository:
      return "repository";
    case SourceKind::kUrl:
      return "url";
    case SourceKind::kOci:
      return "oci";
    case SourceKind::kGit:
      return "git";
  }
  return "repository";
}

const LockedPackage* LockFile::find(std::string_view name) const {
  for (const auto& p : packages)
    if (p.name == name) return &p;
  return nullptr;
}

Result<LockFile> parse_lock(std::string_view text, const std::string& label) {
  auto lock = parse_lock_json(text);
  if (!lock) return std::unexpected(std::move(lock.error()).context(label));
  return lock;
}

std::string write_lock(const LockFile& lock) {
  json packages = json::array();
  std::vector<LockedPackage> sorted = lock.packages;
  std::sort(sorted.begin(), sorted.end(),
            [](const auto& a, const auto& b) { return a.name < b.name; });
  for (const auto& p : sorted) {
    json entry = json::object();
    entry["name"] = p.name;
    entry["version"] = p.version;
    entry["from"] = std::string(to_string(p.kind));
    entry["source"] = p.source;
    entry["file"] = p.file;
    entry["sha256"] = p.sha256;
    entry["required_by"] = p.required_by;
    packages.push_back(std::move(entry));
  }
  json doc = json::object();
  doc["lock_version"] = kLockVersion;
  doc["root"] = lock.root;
  doc["dependencies"] = lock.dependencies;
  doc["packages"] = std::move(packages);
  return doc.dump(2) + "\n";
}

Result<std::optional<LockFile>> read_lock_file(const std::filesystem::path& dir) {
  std::filesystem::path path = dir / kLockFileName;
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return std::optional<LockFile>();
  std::string text = LMP_TRY(read_file(path, 16 * 1024 * 1024));
  return std::optional<LockFile>(LMP_TRY(parse_lock(text, path.string())));
}

Result<void> write_lock_file(const std::filesystem::path& dir, const LockFile& lock) {
  return write_file_atomic(dir / kLockFileName, write_lock(lock));
}

bool lock_matches(const LockFile& lock, const package::Config& root) {
  if (lock.root != root.name) return false;
  json deps = json::object();
  for (const auto& [name, dep] : root.dependencies) deps[name] = package::to_json(dep);
  return lock.dependencies == deps;
}

}  // namespace lmp::registry
