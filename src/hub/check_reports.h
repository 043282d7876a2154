// `lmp check --report` on the hub (docs/hub.md, "Check reports"): the API that stores and
// lists reports per package version, and the store's compact "Runs on" line built from them.
// Storage is SqliteStorage's (table check_reports; its calls are in check_reports.cpp).
#pragma once

#include <string>
#include <vector>

#include "hub/storage.h"
#include "package/check_report.h"

namespace httplib {
class Server;
}

namespace lmp::hub {

struct HubContext;

// The row kept of an uploaded report.
CheckReportRecord check_report_record(const package::CheckReport& report);

// One kernel of the "Runs on" line: reports deduplicated by kernel major.minor and
// architecture, the newest report winning.
struct RunsOn {
  std::string kernel;   // "6.1" (the release when it does not parse)
  std::string arch;     // "x86_64"
  std::string release;  // the newest report's full release
  bool passed = false;
  std::string needs;  // of a failed report
};

// Newest kernel first. `reports` newest first, as Storage::check_reports gives them.
std::vector<RunsOn> summarize_check_reports(const std::vector<CheckReportRecord>& reports);

// "kernel 6.1 x86_64 ✔, 5.4 x86_64 ✘ (needs ring buffer)"; empty without reports.
// Plain text (the store escapes it).
std::string runs_on_text(const std::vector<RunsOn>& kernels);

// POST and GET /api/v1/packages/NAME/versions/VERSION/check-reports (check_report_routes.cpp).
void add_check_report_routes(httplib::Server& server, HubContext& hub);

}  // namespace lmp::hub
