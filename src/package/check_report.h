// The result of `lmp check REF` (docs/check.md): a list of checks, each passed, failed or
// skipped with a reason and a hint, and the kernel they ran on. lmp builds it (loader/check.h),
// prints it (output/check_printer.h) and uploads it; lmp-hub parses and stores it
// (hub/check_reports.h). Pure data: no kernel, no network.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/result.h"

namespace lmp::package {

enum class CheckStatus { kOk, kFail, kSkip };

// "ok", "fail", "skip".
std::string_view check_status_name(CheckStatus status);

struct CheckItem {
  std::string id;  // stable: "kernel", "btf", "privileges", "program/P", "attach/P",
                   // "map/M", "core", "trial-load", "wasm"
  CheckStatus status = CheckStatus::kOk;
  std::string title;   // what was checked: "tracepoint syscalls/sys_enter_openat exists"
  std::string reason;  // why it passed, failed or was skipped
  std::string hint;    // what to do (failed and skipped checks)
  std::string needs;   // failed checks: what the package needs, in a few words ("ring buffer")
};

struct CheckReport {
  std::string package;  // name; empty for a file without config.json
  std::string version;
  std::string kernel_release;  // uname -r
  std::string arch;            // uname -m
  bool trial_load = false;     // a trial load ran
  std::vector<CheckItem> checks;

  // No check failed.
  bool passed() const;
  // Ids of the failed checks, in order.
  std::vector<std::string> failed_ids() const;
  // The first failed check, or null.
  const CheckItem* first_failure() const;
};

// Schema version of check_report_json (docs/check.md, "JSON").
inline constexpr int kCheckReportSchema = 1;

// Keys in the documented order (schema, package, kernel, passed, ...).
nlohmann::ordered_json check_report_json(const CheckReport& report);

// Limits on an uploaded report (the hub parses reports from anyone who may upload).
inline constexpr std::size_t kMaxReportChecks = 512;
inline constexpr std::size_t kMaxReportText = 1024;  // per string field

// Parses check_report_json's form. Errors (kBadPackage) name the field; strings longer than
// kMaxReportText, more than kMaxReportChecks checks or an unknown status are refused.
Result<CheckReport> parse_check_report(const nlohmann::json& json);

}  // namespace lmp::package
