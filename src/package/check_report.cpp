#include "package/check_report.h"

namespace lmp::package {
namespace {

using nlohmann::json;

std::unexpected<Error> bad_report(const std::string& what) {
  return fail(ExitCode::kBadPackage, "check report: " + what,
              "send the JSON that lmp check --json prints");
}

// A string member (missing: empty); longer than kMaxReportText or not a string: an error.
Result<std::string> text_of(const json& object, const char* key, bool required = false) {
  auto it = object.find(key);
  if (it == object.end() || it->is_null()) {
    if (required) return bad_report(std::string("\"") + key + "\" is missing");
    return std::string();
  }
  if (!it->is_string()) return bad_report(std::string("\"") + key + "\" is not a string");
  const auto& text = it->get_ref<const std::string&>();
  if (text.size() > kMaxReportText) return bad_report(std::string("\"") + key + "\" is too long");
  return text;
}

}  // namespace

std::string_view check_status_name(CheckStatus status) {
  switch (status) {
    case CheckStatus::kOk:
      return "ok";
    case CheckStatus::kFail:
      return "fail";
    case CheckStatus::kSkip:
      return "skip";
  }
  return "fail";
}

bool CheckReport::passed() const {
  return first_failure() == nullptr;
}

std::vector<std::string> CheckReport::failed_ids() const {
  std::vector<std::string> ids;
  for (const auto& c : checks)
    if (c.status == CheckStatus::kFail) ids.push_back(c.id);
  return ids;
}

const CheckItem* CheckReport::first_failure() const {
  for (const auto& c : checks)
    if (c.status == CheckStatus::kFail) return &c;
  return nullptr;
}

nlohmann::ordered_json check_report_json(const CheckReport& report) {
  using ordered = nlohmann::ordered_json;
  ordered checks = ordered::array();
  for (const auto& c : report.checks) {
    ordered item = {{"id", c.id},
                    {"status", check_status_name(c.status)},
                    {"title", c.title},
                    {"reason", c.reason}};
    if (!c.hint.empty()) item["hint"] = c.hint;
    if (!c.needs.empty()) item["needs"] = c.needs;
    checks.push_back(std::move(item));
  }
  return ordered{{"schema", kCheckReportSchema},
                 {"package", ordered{{"name", report.package}, {"version", report.version}}},
                 {"kernel", ordered{{"release", report.kernel_release}, {"arch", report.arch}}},
                 {"passed", report.passed()},
                 {"trial_load", report.trial_load},
                 {"failed", report.failed_ids()},
                 {"checks", std::move(checks)}};
}

Result<CheckReport> parse_check_report(const json& j) {
  if (!j.is_object()) return bad_report("not a JSON object");
  if (!j.contains("schema") || !j["schema"].is_number_integer() ||
      j["schema"].get<long long>() != kCheckReportSchema)
    return bad_report("\"schema\" is not " + std::to_string(kCheckReportSchema));
  CheckReport report;
  if (!j.contains("package") || !j["package"].is_object())
    return bad_report("\"package\" is missing");
  report.package = LMP_TRY(text_of(j["package"], "name"));
  report.version = LMP_TRY(text_of(j["package"], "version"));
  if (!j.contains("kernel") || !j["kernel"].is_object()) return bad_report("\"kernel\" is missing");
  report.kernel_release = LMP_TRY(text_of(j["kernel"], "release", true));
  report.arch = LMP_TRY(text_of(j["kernel"], "arch", true));
  if (j.contains("trial_load") && j["trial_load"].is_boolean())
    report.trial_load = j["trial_load"].get<bool>();
  if (!j.contains("checks") || !j["checks"].is_array())
    return bad_report("\"checks\" is not a list");
  if (j["checks"].size() > kMaxReportChecks) return bad_report("too many checks");
  for (const auto& c : j["checks"]) {
    if (!c.is_object()) return bad_report("a check is not an object");
    CheckItem item;
    item.id = LMP_TRY(text_of(c, "id", true));
    std::string status = LMP_TRY(text_of(c, "status", true));
    if (status == "ok")
      item.status = CheckStatus::kOk;
    else if (status == "fail")
      item.status = CheckStatus::kFail;
    else if (status == "skip")
      item.status = CheckStatus::kSkip;
    else
      return bad_report("check " + item.id + ": status \"" + status + "\" is not ok, fail or skip");
    item.title = LMP_TRY(text_of(c, "title"));
    item.reason = LMP_TRY(text_of(c, "reason"));
    item.hint = LMP_TRY(text_of(c, "hint"));
    item.needs = LMP_TRY(text_of(c, "needs"));
    report.checks.push_back(std::move(item));
  }
  return report;
}

}  // namespace lmp::package
