#include "registry/index.h"

#include <algorithm>

#include <nlohmann/json.hpp>

#include "common/text_escape.h"
#include "registry/digest.h"
#include "registry/reference.h"
#include "registry/semver.h"
#include "registry/version_tag.h"

namespace lmp::registry {
namespace {

using nlohmann::json;

std::unexpected<Error> bad(const std::string& path, const std::string& what) {
  // The path holds the index's own keys: escaped, as it is printed to a terminal.
  return fail(ExitCode::kBadPackage, "index.json: " + escape_text(path) + ": " + what);
}

Result<std::string> optional_string(const json& obj, const char* key, const std::string& path) {
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return std::string();
  if (!it->is_string()) return bad(path + "." + key, "expected a string");
  return it->get<std::string>();
}

Result<FileEntry> parse_file(const std::string& name, const json& j, const std::string& path) {
  if (!is_plain_file_name(name)) return bad(path, "bad file name");
  if (!j.is_object()) return bad(path, "expected an object");
  FileEntry f;
  f.name = name;
  f.sha256 = LMP_TRY(optional_string(j, "sha256", path));
  if (!is_sha256_hex(f.sha256)) return bad(path + ".sha256", "expected 64 lowercase hex digits");
  auto size = j.find("size");
  if (size == j.end() || !size->is_number_unsigned())
    return bad(path + ".size", "expected a non-negative integer");
  f.size = size->get<std::uint64_t>();
  return f;
}

Result<VersionEntry> parse_version(const std::string& version, const json& j,
                                   const std::string& path) {
  if (!parse_semver(version)) return bad(path, "not a semver version");
  if (!j.is_object()) return bad(path, "expected an object");
  VersionEntry v;
  v.version = version;
  v.description = LMP_TRY(optional_string(j, "description", path));
  v.summary = LMP_TRY(optional_string(j, "summary", path));
  v.author = LMP_TRY(optional_string(j, "author", path));
  v.license = LMP_TRY(optional_string(j, "license", path));
  v.category = LMP_TRY(optional_string(j, "category", path));
  if (auto tags = j.find("tags"); tags != j.end() && !tags->is_null()) {
    if (!tags->is_array()) return bad(path + ".tags", "expected an array of strings");
    for (const auto& t : *tags) {
      if (!t.is_string()) return bad(path + ".tags", "expected an array of strings");
      v.tags.push_back(t.get<std::string>());
    }
  }
  if (auto yanked = j.find("yanked"); yanked != j.end() && !yanked->is_null()) {
    if (!yanked->is_boolean()) return bad(path + ".yanked", "expected true or false");
    v.yanked = yanked->get<bool>();
  }
  auto files = j.find("files");
  if (files == j.end() || !files->is_object() || files->empty())
    return bad(path + ".files", "expected an object with at least one file");
  for (const auto& [name, entry] : files->items())
    v.files.push_back(LMP_TRY(parse_file(name, entry, path + ".files." + name)));
  return v;
}

}  // namespace

bool is_plain_file_name(std::string_view name) {
  if (name.empty() || name.size() > 128 || name.front() == '.') return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
           c == '_' || c == '-';
  });
}

const FileEntry* VersionEntry::file(std::string_view name) const {
  for (const auto& f : files)
    if (f.name == name) return &f;
  return nullptr;
}

std::uint64_t VersionEntry::total_size() const {
  std::uint64_t total = 0;
  for (const auto& f : files) total += f.size;
  return total;
}

const VersionEntry* PackageEntry::latest() const {
  std::vector<std::string> all;
  for (const auto& [v, entry] : versions)
    if (!entry.yanked) all.push_back(v);
  std::string best = highest_version(all);
  return best.empty() ? nullptr : &versions.at(best);
}

const VersionEntry* PackageEntry::find(std::string_view version) const {
  if (version.empty() || version == "latest") return latest();
  auto it = versions.find(std::string(version));
  if (it != versions.end()) return &it->second;
  // A docker-like tag ("1", "v1", "2.0"): the highest version it names that is not yanked.
  std::vector<std::string> candidates;
  for (const auto& [v, entry] : versions)
    if (!entry.yanked) candidates.push_back(v);
  std::string picked = pick_version(version, candidates);
  return picked.empty() ? nullptr : &versions.at(picked);
}

std::vector<std::string> PackageEntry::sorted_versions() const {
  std::vector<std::string> all;
  for (const auto& [v, _] : versions) all.push_back(v);
  std::sort(all.begin(), all.end(),
            [](const std::string& a, const std::string& b) { return compare_versions(a, b) > 0; });
  return all;
}

const PackageEntry* Index::find(std::string_view name) const {
  auto it = packages.find(std::string(name));
  return it == packages.end() ? nullptr : &it->second;
}

Result<Index> parse_index(std::string_view text) {
  json root = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (root.is_discarded()) return fail(ExitCode::kBadPackage, "index.json: not valid JSON");
  if (!root.is_object()) return bad("(root)", "expected an object");
  if (auto schema = root.find("schema_version"); schema != root.end()) {
    if (!schema->is_number_integer() || schema->get<int>() > kIndexSchemaVersion)
      return bad("schema_version", "unsupported (this lmp reads version 1)");
  }
  auto packages = root.find("packages");
  if (packages == root.end() || !packages->is_object())
    return bad("packages", "expected an object");
  Index index;
  for (const auto& [name, pkg] : packages->items()) {
    std::string path = "packages." + name;
    if (!is_package_name(name)) return bad(path, "bad package name");
    if (!pkg.is_object()) return bad(path, "expected an object");
    auto versions = pkg.find("versions");
    if (versions == pkg.end() || !versions->is_object())
      return bad(path + ".versions", "expected an object");
    PackageEntry entry;
    entry.name = name;
    for (const auto& [version, v] : versions->items())
      entry.versions[version] = LMP_TRY(parse_version(version, v, path + ".versions." + version));
    index.packages[name] = std::move(entry);
  }
  return index;
}

std::string write_index(const Index& index) {
  json packages = json::object();
  for (const auto& [name, pkg] : index.packages) {
    json versions = json::object();
    for (const auto& [version, v] : pkg.versions) {
      json files = json::object();
      for (const auto& f : v.files) files[f.name] = {{"sha256", f.sha256}, {"size", f.size}};
      json out = {{"files", files}};
      for (auto [key, value] : {std::pair{"description", &v.description},
                                {"summary", &v.summary},
                                {"author", &v.author},
                                {"license", &v.license},
                                {"category", &v.category}})
        if (!value->empty()) out[key] = *value;
      if (!v.tags.empty()) out["tags"] = v.tags;
      if (v.yanked) out["yanked"] = true;
      versions[version] = std::move(out);
    }
    json p = {{"versions", std::move(versions)}};
    if (const VersionEntry* latest = pkg.latest()) p["latest"] = latest->version;
    packages[name] = std::move(p);
  }
  json root = {{"schema_version", kIndexSchemaVersion}, {"packages", std::move(packages)}};
  return root.dump(2) + "\n";
}

}  // namespace lmp::registry
