// JSON of the API (docs/hub.md, "JSON API"): records rendered as the API shows them, the
// error shape {"error", "hint"}, and the time formats (RFC 3339 UTC, YYYY-MM-DD days).
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "hub/storage.h"

namespace httplib {
struct Response;
}

namespace lmp::hub {

std::string rfc3339(UnixTime time);  // "2026-12-01T10:00:00Z"; "" for 0
std::string day_text(UnixDay day);   // "2026-12-01"

nlohmann::json user_json(const User& user);         // name, email, admin, created
nlohmann::json public_user_json(const User& user);  // name, created
nlohmann::json summary_json(const PackageSummary& summary);
nlohmann::json file_json(const StoredFile& file);
// Who signed a version: {"key": "ed25519:...", "key_name": NAME}, or null when unsigned.
nlohmann::json signature_json(const VersionRecord& version);
// The package page: owners, totals, versions (each with its signature), and the latest
// version's fields with its details parsed back. `latest` is the version NAME resolves to
// (empty when all are yanked: then the highest version's fields are shown).
nlohmann::json package_json(const PackageRecord& package, const std::string& latest);

void send_json(httplib::Response& response, int status, const nlohmann::json& body);
void send_error(httplib::Response& response, int status, const std::string& error,
                const std::string& hint = {});

}  // namespace lmp::hub
