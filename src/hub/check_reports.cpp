// Check reports: SqliteStorage's calls for them and the "Runs on" summary.
#include "hub/check_reports.h"

#include <algorithm>
#include <charconv>
#include <chrono>
#include <map>

#include "hub/sqlite_storage.h"

namespace lmp::hub {
namespace {

// "6.1.0-18-amd64" -> {6, 1}; {-1, -1} when it does not start with numbers.
std::pair<int, int> major_minor(const std::string& release) {
  int major = -1, minor = -1;
  const char* end = release.data() + release.size();
  auto [after_major, e1] = std::from_chars(release.data(), end, major);
  if (e1 != std::errc() || after_major == end || *after_major != '.') return {-1, -1};
  if (std::from_chars(after_major + 1, end, minor).ec != std::errc()) return {-1, -1};
  return {major, minor};
}

}  // namespace

CheckReportRecord check_report_record(const package::CheckReport& report) {
  CheckReportRecord record;
  record.kernel_release = report.kernel_release;
  record.arch = report.arch;
  record.passed = report.passed();
  record.failed = report.failed_ids();
  if (const auto* first = report.first_failure())
    record.needs = first->needs.empty() ? first->title : first->needs;
  return record;
}

std::vector<RunsOn> summarize_check_reports(const std::vector<CheckReportRecord>& reports) {
  std::map<std::pair<std::string, std::string>, RunsOn> by_kernel;  // first (newest) wins
  std::map<std::pair<std::string, std::string>, std::pair<int, int>> versions;
  for (const auto& r : reports) {
    auto [major, minor] = major_minor(r.kernel_release);
    std::string kernel =
        major < 0 ? r.kernel_release : std::to_string(major) + "." + std::to_string(minor);
    auto key = std::pair{kernel, r.arch};
    if (by_kernel.contains(key)) continue;
    by_kernel[key] = RunsOn{kernel, r.arch, r.kernel_release, r.passed, r.needs};
    versions[key] = {major, minor};
  }
  std::vector<RunsOn> out;
  for (auto& [key, runs] : by_kernel) out.push_back(std::move(runs));
  std::ranges::stable_sort(out, [&](const RunsOn& a, const RunsOn& b) {
    auto va = versions[{a.kernel, a.arch}], vb = versions[{b.kernel, b.arch}];
    if (va != vb) return va > vb;
    return a.arch < b.arch;
  });
  return out;
}

std::string runs_on_text(const std::vector<RunsOn>& kernels) {
  std::string text;
  for (const auto& k : kernels) {
    text += text.empty() ? "kernel " : ", ";
    text += k.kernel + " " + k.arch + (k.passed ? " ✔" : " ✘");
    if (!k.passed && !k.needs.empty()) text += " (needs " + k.needs + ")";
  }
  return text;
}

Result<void> SqliteStorage::add_check_report(const std::string& package, const std::string& version,
                                             const CheckReportRecord& report,
                                             std::int64_t reporter_id) {
  std::lock_guard lock(mutex_);
  std::int64_t version_id = 0;
  {
    auto q = LMP_TRY(db_.query(
        "SELECT versions.id FROM versions JOIN packages ON packages.id = versions.package_id "
        "WHERE packages.name = ? AND versions.version = ?"));
    q.bind_all(package, version);
    if (!LMP_TRY(q.step()))
      return fail(ExitCode::kNotFound, "no version " + version + " of package '" + package + "'");
    version_id = q.integer(0);
  }
  UnixTime now = report.reported ? report.reported
                                 : std::chrono::duration_cast<std::chrono::seconds>(
                                       std::chrono::system_clock::now().time_since_epoch())
                                       .count();
  auto q = LMP_TRY(db_.query(
      "INSERT OR REPLACE INTO check_reports(version_id, kernel_release, arch, user_id, passed, "
      "failed, needs, reported) VALUES(?, ?, ?, ?, ?, ?, ?, ?)"));
  q.bind_all(version_id, report.kernel_release, report.arch, reporter_id, report.passed,
             sqlite::to_json_array(report.failed), report.needs, now);
  return q.run();
}

Result<std::vector<CheckReportRecord>> SqliteStorage::check_reports(const std::string& package,
                                                                    const std::string& version) {
  std::lock_guard lock(mutex_);
  auto q = LMP_TRY(db_.query(
      "SELECT r.kernel_release, r.arch, r.passed, r.failed, r.needs, users.name, r.reported "
      "FROM check_reports r JOIN versions ON versions.id = r.version_id "
      "JOIN packages ON packages.id = versions.package_id JOIN users ON users.id = r.user_id "
      "WHERE packages.name = ? AND versions.version = ? ORDER BY r.reported DESC, r.rowid DESC"));
  q.bind_all(package, version);
  std::vector<CheckReportRecord> reports;
  while (LMP_TRY(q.step()))
    reports.push_back({q.text(0), q.text(1), q.integer(2) != 0, sqlite::from_json_array(q.text(3)),
                       q.text(4), q.text(5), q.integer(6)});
  return reports;
}

}  // namespace lmp::hub
