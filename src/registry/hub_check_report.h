// Uploading an `lmp check --report` to a hub (docs/hub.md, "Check reports"):
// POST /api/v1/packages/NAME/versions/VERSION/check-reports with the report's JSON
// (package/check_report.h) and the API token of `lmp login`.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "common/result.h"
#include "registry/oci_transport.h"

namespace lmp::registry {

// What the hub answered: how many distinct kernels it now has reports for, and the page.
struct UploadedReport {
  std::int64_t kernels = 0;
  std::string url;
};

// Errors as hub_error (401/403 kPermission, 404 kNotFound for an unknown package or version,
// 400 kBadPackage for a report it refuses).
Result<UploadedReport> upload_check_report(OciTransport& transport, const std::string& hub_url,
                                           const std::string& token, const std::string& name,
                                           const std::string& version,
                                           const nlohmann::ordered_json& report);

}  // namespace lmp::registry
