// SqliteStorage: publishing, yanking, owners, and reading packages, versions and the index.
#include <algorithm>
#include <chrono>

#include "hub/sqlite_storage.h"
#include "registry/semver.h"

namespace lmp::hub {
namespace {

// Read by read_version(), in this order.
constexpr const char* kVersionColumns =
    "v.id, p.name, v.version, v.description, v.summary, v.author, v.license, v.category, "
    "v.homepage, v.tags, v.program_types, v.readme, v.details, u.name, v.published, v.yanked, "
    "(SELECT COALESCE(SUM(d.count), 0) FROM downloads d "
    " WHERE d.package = p.name AND d.version = v.version), v.signer_key, v.signer_name "
    "FROM versions v JOIN packages p ON p.id = v.package_id JOIN users u ON u.id = v.publisher_id";

std::string select_versions(const std::string& tail) {
  return std::string("SELECT ") + kVersionColumns + " " + tail;
}

void sort_highest_first(std::vector<VersionRecord>& versions) {
  std::sort(versions.begin(), versions.end(), [](const auto& a, const auto& b) {
    return registry::compare_versions(a.version, b.version) == std::strong_ordering::greater;
  });
}

std::unexpected<Error> no_package(const std::string& name) {
  return fail(ExitCode::kNotFound, "no package " + name);
}

std::unexpected<Error> version_exists(const std::string& name, const std::string& version) {
  return fail(ExitCode::kConflict, name + " " + version + " exists already; versions are immutable",
              "bump the version in config.json and publish again");
}

}  // namespace

Result<std::optional<std::int64_t>> SqliteStorage::package_id(const std::string& name) {
  auto q = LMP_TRY(db_.query("SELECT id FROM packages WHERE name = ?"));
  if (!LMP_TRY(q.bind(name).step())) return std::nullopt;
  return q.integer(0);
}

Result<std::vector<StoredFile>> SqliteStorage::version_files(std::int64_t version_id) {
  auto q = LMP_TRY(
      db_.query("SELECT name, sha256, size FROM version_files WHERE version_id = ? ORDER BY name"));
  q.bind(version_id);
  std::vector<StoredFile> files;
  while (LMP_TRY(q.step()))
    files.push_back({q.text(0), q.text(1), static_cast<std::uint64_t>(q.integer(2))});
  return files;
}

Result<VersionRecord> SqliteStorage::read_version(sqlite::Query& q) {
  VersionRecord v;
  v.package = q.text(1);
  v.version = q.text(2);
  v.description = q.text(3);
  v.summary = q.text(4);
  v.author = q.text(5);
  v.license = q.text(6);
  v.category = q.text(7);
  v.homepage = q.text(8);
  v.tags = sqlite::from_json_array(q.text(9));
  v.program_types = sqlite::from_json_array(q.text(10));
  v.readme = q.text(11);
  v.details = q.text(12);
  v.publisher = q.text(13);
  v.published = q.integer(14);
  v.yanked = q.integer(15) != 0;
  v.downloads = q.integer(16);
  v.signer_key = q.text(17);
  v.signer_name = q.text(18);
  v.files = LMP_TRY(version_files(q.integer(0)));
  return v;
}

Result<void> SqliteStorage::refresh_package(std::int64_t package_id) {
  std::vector<std::string> candidates;
  {
    auto q = LMP_TRY(db_.query("SELECT version FROM versions WHERE package_id = ? AND yanked = 0"));
    q.bind(package_id);
    while (LMP_TRY(q.step())) candidates.push_back(q.text(0));
  }
  std::string latest = registry::highest_version(candidates);
  {
    auto q = LMP_TRY(db_.query("UPDATE packages SET latest = ? WHERE id = ?"));
    LMP_CHECK(q.bind_all(latest, package_id).run());
  }
  {
    auto q = LMP_TRY(db_.query("DELETE FROM package_search WHERE rowid = ?"));
    LMP_CHECK(q.bind(package_id).run());
  }
  if (!latest.empty()) {
    std::string name, description, summary, readme, tags;
    {
      auto q = LMP_TRY(db_.query(
          "SELECT p.name, v.description, v.summary, v.readme, v.tags FROM packages p "
          "JOIN versions v ON v.package_id = p.id AND v.version = p.latest WHERE p.id = ?"));
      if (LMP_TRY(q.bind(package_id).step())) {
        name = q.text(0);
        description = q.text(1);
        summary = q.text(2);
        readme = q.text(3);
        for (const auto& tag : sqlite::from_json_array(q.text(4))) tags += tag + " ";
      }
    }
    auto q = LMP_TRY(
        db_.query("INSERT INTO package_search(rowid, name, description, summary, readme, tags) "
                  "VALUES(?, ?, ?, ?, ?, ?)"));
    LMP_CHECK(q.bind_all(package_id, name, description, summary, readme, tags).run());
  }
  auto q = LMP_TRY(db_.query("UPDATE meta SET value = value + 1 WHERE key = 'index_generation'"));
  return q.run();
}

Result<void> SqliteStorage::publish(const NewVersion& version, std::int64_t publisher_id) {
  const VersionRecord& r = version.record;
  UnixTime published = r.published;
  if (published == 0) {
    published = std::chrono::duration_cast<std::chrono::seconds>(
                    std::chrono::system_clock::now().time_since_epoch())
                    .count();
  }
  std::lock_guard lock(mutex_);
  auto tx = LMP_TRY(sqlite::Transaction::begin(db_));
  {
    auto q = LMP_TRY(db_.query("SELECT 1 FROM users WHERE id = ?"));
    if (!LMP_TRY(q.bind(publisher_id).step()))
      return fail(ExitCode::kNotFound, "no user with id " + std::to_string(publisher_id));
  }
  std::int64_t pid = 0;
  if (auto existing = LMP_TRY(package_id(r.package))) {
    pid = *existing;
    {
      auto q = LMP_TRY(db_.query("SELECT 1 FROM owners WHERE package_id = ? AND user_id = ?"));
      if (!LMP_TRY(q.bind_all(pid, publisher_id).step())) {
        return fail(ExitCode::kPermission, "you are not an owner of " + r.package,
                    "ask an owner to add you, or publish under another name");
      }
    }
    auto q = LMP_TRY(db_.query("SELECT 1 FROM versions WHERE package_id = ? AND version = ?"));
    if (LMP_TRY(q.bind_all(pid, r.version).step())) return version_exists(r.package, r.version);
  } else {
    {
      auto q = LMP_TRY(db_.query("INSERT INTO packages(name, created, updated) VALUES(?, ?, ?)"));
      LMP_CHECK(q.bind_all(r.package, published, published).run());
    }
    pid = db_.last_insert_rowid();
    auto q =
        LMP_TRY(db_.query("INSERT INTO owners(package_id, user_id, position) VALUES(?, ?, 0)"));
    LMP_CHECK(q.bind_all(pid, publisher_id).run());
  }
  std::int64_t version_id = 0;
  {
    auto q = LMP_TRY(db_.query(
        "INSERT INTO versions(package_id, version, description, summary, author, license, "
        "category, homepage, tags, program_types, readme, details, publisher_id, published, "
        "signer_key, signer_name) VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"));
    auto inserted = q.bind_all(pid, r.version, r.description, r.summary, r.author, r.license,
                               r.category, r.homepage, sqlite::to_json_array(r.tags),
                               sqlite::to_json_array(r.program_types), r.readme, r.details,
                               publisher_id, published, r.signer_key, r.signer_name)
                        .run();
    if (!inserted && inserted.error().code == ExitCode::kConflict)
      return version_exists(r.package, r.version);
    LMP_CHECK(inserted);
    version_id = db_.last_insert_rowid();
  }
  for (const auto& file : r.files) {
    auto q = LMP_TRY(
        db_.query("INSERT INTO version_files(version_id, name, sha256, size) VALUES(?, ?, ?, ?)"));
    auto inserted =
        q.bind_all(version_id, file.name, file.sha256, static_cast<std::int64_t>(file.size)).run();
    if (!inserted && inserted.error().code == ExitCode::kConflict)
      return fail(ExitCode::kUsage,
                  "file " + file.name + " appears twice in " + r.package + " " + r.version);
    LMP_CHECK(inserted);
  }
  {
    auto q = LMP_TRY(db_.query("UPDATE packages SET updated = MAX(updated, ?) WHERE id = ?"));
    LMP_CHECK(q.bind_all(published, pid).run());
  }
  LMP_CHECK(refresh_package(pid));
  return tx.commit();
}

Result<void> SqliteStorage::set_yanked(const std::string& package, const std::string& version,
                                       bool yanked) {
  std::lock_guard lock(mutex_);
  auto tx = LMP_TRY(sqlite::Transaction::begin(db_));
  auto pid = LMP_TRY(package_id(package));
  if (!pid) return no_package(package);
  {
    auto q =
        LMP_TRY(db_.query("UPDATE versions SET yanked = ? WHERE package_id = ? AND version = ?"));
    LMP_CHECK(q.bind_all(yanked, *pid, version).run());
  }
  if (db_.changes() == 0)
    return fail(ExitCode::kNotFound, "no version " + version + " of " + package);
  LMP_CHECK(refresh_package(*pid));
  return tx.commit();
}

Result<void> SqliteStorage::add_owner(const std::string& package, const std::string& user) {
  std::lock_guard lock(mutex_);
  auto tx = LMP_TRY(sqlite::Transaction::begin(db_));
  auto pid = LMP_TRY(package_id(package));
  if (!pid) return no_package(package);
  auto uid = LMP_TRY(user_id(user));
  if (!uid) return fail(ExitCode::kNotFound, "no user " + user);
  auto q = LMP_TRY(db_.query(
      "INSERT INTO owners(package_id, user_id, position) "
      "SELECT ?1, ?2, COALESCE(MAX(position), -1) + 1 FROM owners WHERE package_id = ?1"));
  auto inserted = q.bind_all(*pid, *uid).run();
  if (!inserted && inserted.error().code == ExitCode::kConflict)
    return fail(ExitCode::kConflict, user + " is an owner of " + package + " already");
  LMP_CHECK(inserted);
  return tx.commit();
}

Result<void> SqliteStorage::remove_owner(const std::string& package, const std::string& user) {
  std::lock_guard lock(mutex_);
  auto tx = LMP_TRY(sqlite::Transaction::begin(db_));
  auto pid = LMP_TRY(package_id(package));
  if (!pid) return no_package(package);
  auto uid = LMP_TRY(user_id(user));
  std::int64_t owners = 0;
  {
    auto q = LMP_TRY(db_.query("SELECT COUNT(*) FROM owners WHERE package_id = ?"));
    if (LMP_TRY(q.bind(*pid).step())) owners = q.integer(0);
  }
  {
    auto q = LMP_TRY(db_.query("DELETE FROM owners WHERE package_id = ? AND user_id = ?"));
    LMP_CHECK(q.bind_all(*pid, uid.value_or(0)).run());
  }
  if (!uid || db_.changes() == 0)
    return fail(ExitCode::kNotFound, user + " is not an owner of " + package);
  if (owners <= 1) {
    return fail(ExitCode::kConflict, user + " is the last owner of " + package,
                "add another owner first");
  }
  return tx.commit();
}

Result<bool> SqliteStorage::is_owner(const std::string& package, std::int64_t user_id) {
  std::lock_guard lock(mutex_);
  auto pid = LMP_TRY(package_id(package));
  if (!pid) return no_package(package);
  auto q = LMP_TRY(db_.query("SELECT 1 FROM owners WHERE package_id = ? AND user_id = ?"));
  return LMP_TRY(q.bind_all(*pid, user_id).step());
}

Result<std::optional<PackageRecord>> SqliteStorage::package(const std::string& name,
                                                            UnixDay today) {
  std::lock_guard lock(mutex_);
  PackageRecord record;
  std::int64_t pid = 0;
  {
    auto q =
        LMP_TRY(db_.query("SELECT p.id, p.name, p.created, p.updated, "
                          "(SELECT COALESCE(SUM(count), 0) FROM downloads WHERE package = p.name), "
                          "(SELECT COALESCE(SUM(count), 0) FROM downloads WHERE package = p.name "
                          " AND day BETWEEN ?1 - 29 AND ?1) "
                          "FROM packages p WHERE p.name = ?2"));
    if (!LMP_TRY(q.bind_all(today, name).step())) return std::nullopt;
    pid = q.integer(0);
    record.name = q.text(1);
    record.created = q.integer(2);
    record.updated = q.integer(3);
    record.downloads = q.integer(4);
    record.downloads_30d = q.integer(5);
  }
  {
    auto q =
        LMP_TRY(db_.query("SELECT u.name FROM owners o JOIN users u ON u.id = o.user_id "
                          "WHERE o.package_id = ? ORDER BY o.position"));
    q.bind(pid);
    while (LMP_TRY(q.step())) record.owners.push_back(q.text(0));
  }
  auto q = LMP_TRY(db_.query(select_versions("WHERE v.package_id = ?")));
  q.bind(pid);
  while (LMP_TRY(q.step())) record.versions.push_back(LMP_TRY(read_version(q)));
  sort_highest_first(record.versions);
  return record;
}

Result<std::vector<VersionRecord>> SqliteStorage::recent_versions(int limit) {
  std::lock_guard lock(mutex_);
  auto q = LMP_TRY(db_.query(select_versions("ORDER BY v.published DESC, v.id DESC LIMIT ?")));
  q.bind(std::clamp(limit, 0, 1000));
  std::vector<VersionRecord> versions;
  while (LMP_TRY(q.step())) versions.push_back(LMP_TRY(read_version(q)));
  return versions;
}

Result<registry::Index> SqliteStorage::index() {
  std::lock_guard lock(mutex_);
  registry::Index index;
  {
    auto q = LMP_TRY(db_.query(
        "SELECT p.name, v.version, v.description, v.summary, v.author, v.license, v.category, "
        "v.tags, v.yanked FROM versions v JOIN packages p ON p.id = v.package_id"));
    while (LMP_TRY(q.step())) {
      auto& package = index.packages[q.text(0)];
      package.name = q.text(0);
      registry::VersionEntry v;
      v.version = q.text(1);
      v.description = q.text(2);
      v.summary = q.text(3);
      v.author = q.text(4);
      v.license = q.text(5);
      v.category = q.text(6);
      v.tags = sqlite::from_json_array(q.text(7));
      v.yanked = q.integer(8) != 0;
      package.versions[v.version] = std::move(v);
    }
  }
  auto q = LMP_TRY(
      db_.query("SELECT p.name, v.version, f.name, f.sha256, f.size FROM version_files f "
                "JOIN versions v ON v.id = f.version_id JOIN packages p ON p.id = v.package_id "
                "ORDER BY p.name, v.version, f.name"));
  while (LMP_TRY(q.step())) {
    auto& version = index.packages[q.text(0)].versions[q.text(1)];
    version.files.push_back({q.text(2), q.text(3), static_cast<std::uint64_t>(q.integer(4))});
  }
  return index;
}

Result<std::int64_t> SqliteStorage::index_generation() {
  std::lock_guard lock(mutex_);
  return generation_locked();
}

Result<std::int64_t> SqliteStorage::generation_locked() {
  auto q = LMP_TRY(db_.query("SELECT value FROM meta WHERE key = 'index_generation'"));
  if (!LMP_TRY(q.step()))
    return fail(ExitCode::kFailure, "database: the index generation is missing");
  return q.integer(0);
}

}  // namespace lmp::hub
