#include "hub/import.h"

#include <filesystem>
#include <map>
#include <set>

#include <nlohmann/json.hpp>

#include "common/log.h"
#include "hub/download_counter.h"
#include "hub/publish.h"
#include "registry/digest.h"
#include "registry/static_repository.h"

namespace lmp::hub {
namespace {

Result<std::map<std::string, std::string>> fetch_files(registry::HttpClient& http,
                                                       const registry::ResolvedPackage& resolved) {
  std::map<std::string, std::string> files;
  for (const registry::RemoteFile& file : resolved.files) {
    std::string content = LMP_TRY(http.fetch(file.url, kMaxUploadBytes));
    if (content.size() != file.size || registry::sha256_hex(content) != file.sha256)
      return fail(ExitCode::kBadPackage,
                  file.url + " does not match index.json (size or sha256 differs)",
                  "rebuild the repository with 'lmp repo build'");
    files[file.name] = std::move(content);
  }
  return files;
}

// A static repository may leave out config.json (it is optional there); the hub needs one,
// so it is written from what index.json says of the version.
std::string config_from_index(const std::string& name, const registry::VersionEntry& entry) {
  nlohmann::json config = {{"name", name},
                           {"version", entry.version},
                           {"author", entry.author.empty() ? std::string("unknown") : entry.author},
                           {"description", entry.description.empty() ? name : entry.description}};
  if (!entry.license.empty()) config["license"] = entry.license;
  if (!entry.category.empty()) config["category"] = entry.category;
  if (!entry.tags.empty()) config["tags"] = entry.tags;
  return config.dump(2) + "\n";
}

}  // namespace

std::string repository_url(const std::string& source) {
  if (source.find("://") != std::string::npos) return source;
  std::error_code ec;
  return "file://" + std::filesystem::absolute(source, ec).lexically_normal().string();
}

Result<User> import_owner(Storage& storage, const std::string& name) {
  if (!name.empty()) {
    auto found = LMP_TRY(storage.find_user(name));
    if (!found)
      return fail(ExitCode::kNotFound, "no user '" + name + "'",
                  "create it with 'lmp-hub user add " + name + "'");
    return found->user;
  }
  for (const User& user : LMP_TRY(storage.list_users()))
    if (user.admin) return user;
  return fail(ExitCode::kNotFound, "no admin account to own the imported packages",
              "create one with 'lmp-hub user add NAME --admin', or pass --owner USER");
}

Result<ImportSummary> import_repository(Storage& storage, BlobStore& blobs, const User& owner,
                                        const std::string& source, registry::HttpClient& http) {
  registry::StaticRepository repository(repository_url(source), http);
  const registry::Index* index = LMP_TRY(repository.index());
  if (!index)
    return fail(ExitCode::kNotFound, repository.url() + " has no index.json",
                "build one with 'lmp repo build SRC OUT'");
  ImportSummary summary;
  for (const auto& [name, package] : index->packages) {
    auto existing = LMP_TRY(storage.package(name, unix_day(unix_now())));
    std::set<std::string> present;
    if (existing)
      for (const VersionRecord& v : existing->versions) present.insert(v.version);
    bool imported_any = false;
    for (const auto& [version, entry] : package.versions) {
      if (present.contains(version)) {
        ++summary.skipped;
        continue;
      }
      std::string label = name + " " + version;
      auto resolved = LMP_TRY(repository.resolve(name, version));
      auto files = fetch_files(http, resolved);
      if (!files) return std::unexpected(std::move(files.error()).context(label));
      if (!files->contains("config.json")) (*files)["config.json"] = config_from_index(name, entry);
      auto published = publish_upload(storage, blobs, owner, *files);
      if (!published) return std::unexpected(std::move(published.error()).context(label));
      if (entry.yanked) LMP_CHECK(storage.set_yanked(name, version, true));
      log::debug("imported " + label);
      ++summary.versions;
      imported_any = true;
    }
    if (imported_any) ++summary.packages;
  }
  return summary;
}

}  // namespace lmp::hub
