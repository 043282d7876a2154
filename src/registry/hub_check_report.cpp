#include "registry/hub_check_report.h"

#include "registry/hub_client.h"

namespace lmp::registry {

Result<UploadedReport> upload_check_report(OciTransport& transport, const std::string& hub_url,
                                           const std::string& token, const std::string& name,
                                           const std::string& version,
                                           const nlohmann::ordered_json& report) {
  std::string base = normalize_hub_url(hub_url);
  HttpRequest request;
  request.method = "POST";
  request.url = base + "/api/v1/packages/" + name + "/versions/" + version + "/check-reports";
  request.headers["Accept"] = "application/json";
  request.headers["Content-Type"] = "application/json";
  if (!token.empty()) request.headers["Authorization"] = "Bearer " + token;
  request.body = report.dump();
  request.max_body_bytes = 64 * 1024;
  HttpResponse response = LMP_TRY(transport.send(request));
  std::string what = "uploading the check report of " + name + " " + version;
  if (response.status < 200 || response.status >= 300)
    return std::unexpected(hub_error(response, what, base));
  nlohmann::json answer = nlohmann::json::parse(response.body, nullptr, false);
  UploadedReport uploaded;
  if (answer.is_object()) {
    if (answer.contains("kernels") && answer["kernels"].is_number_integer())
      uploaded.kernels = answer["kernels"].get<std::int64_t>();
    if (answer.contains("url") && answer["url"].is_string())
      uploaded.url = answer["url"].get<std::string>();
  }
  return uploaded;
}

}  // namespace lmp::registry
