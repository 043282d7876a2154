// POST /api/v1/packages/NAME/versions/VERSION/check-reports (a logged-in user's
// `lmp check --report`) and GET of the same path (docs/hub.md, "Check reports").
#include <httplib.h>

#include "hub/api_json.h"
#include "hub/api_support.h"
#include "hub/check_reports.h"
#include "hub/html.h"
#include "hub/server.h"

namespace lmp::hub {
namespace {

using httplib::Request;
using httplib::Response;
using nlohmann::json;

// Reports are small: a checklist of a few dozen lines.
constexpr std::size_t kMaxReportBytes = 256 * 1024;

json runs_on_json(const std::vector<RunsOn>& kernels) {
  json list = json::array();
  for (const auto& k : kernels)
    list.push_back({{"kernel", k.kernel},
                    {"arch", k.arch},
                    {"release", k.release},
                    {"passed", k.passed},
                    {"needs", k.needs}});
  return list;
}

void post_report(HubContext& hub, const Request& req, Response& res) {
  auto user = authenticate(hub, req, res);
  if (!user) return;
  if (req.body.size() > kMaxReportBytes)
    return send_error(res, 413, "the check report is too large", "send lmp check --json's output");
  auto body = json_body(req, res);
  if (!body) return;
  auto report = package::parse_check_report(*body);
  if (!report) return send_error(res, 400, report.error().message, report.error().hint);
  std::string name = req.matches[1], version = req.matches[2];
  if ((!report->package.empty() && report->package != name) ||
      (!report->version.empty() && report->version != version))
    return send_error(res, 400,
                      "the report is for " + report->package + " " + report->version + ", not " +
                          name + " " + version);
  CheckReportRecord record = check_report_record(*report);
  if (auto stored = hub.storage.add_check_report(name, version, record, user->id); !stored)
    return send_failure(hub, res, stored.error());
  auto reports = hub.storage.check_reports(name, version);
  if (!reports) return send_failure(hub, res, reports.error());
  send_json(
      res, 201,
      {{"kernels", summarize_check_reports(*reports).size()},
       {"url", hub.public_url + "/p/" + html::url_encode(name) + "/" + html::url_encode(version)}});
}

void get_reports(HubContext& hub, const Request& req, Response& res) {
  auto reports = hub.storage.check_reports(req.matches[1], req.matches[2]);
  if (!reports) return send_failure(hub, res, reports.error());
  json list = json::array();
  for (const auto& r : *reports)
    list.push_back({{"kernel_release", r.kernel_release},
                    {"arch", r.arch},
                    {"passed", r.passed},
                    {"failed", r.failed},
                    {"needs", r.needs},
                    {"reporter", r.reporter},
                    {"reported", rfc3339(r.reported)}});
  auto kernels = summarize_check_reports(*reports);
  send_json(res, 200,
            {{"reports", std::move(list)},
             {"runs_on", runs_on_json(kernels)},
             {"summary", runs_on_text(kernels)}});
}

}  // namespace

void add_check_report_routes(httplib::Server& server, HubContext& hub) {
  const std::string path = "/api/v1/packages/([^/]+)/versions/([^/]+)/check-reports";
  server.Post(path, [&hub](const Request& req, Response& res) { post_report(hub, req, res); });
  server.Get(path, [&hub](const Request& req, Response& res) { get_reports(hub, req, res); });
}

}  // namespace lmp::hub
