// The HTTP requests the OCI distribution API needs beyond a plain GET: any method, request
// headers, bodies, response headers and statuses. OciTransport is the test seam; the real
// one is libcurl.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <string>

#include "common/result.h"
#include "registry/http_client.h"

namespace lmp::registry {

struct HttpRequest {
  std::string method = "GET";  // GET, HEAD, POST, PUT, PATCH, DELETE
  std::string url;
  std::map<std::string, std::string> headers;  // "Authorization", "Content-Type", ...
  std::string body;
  // When set, a 2xx response body streams into this file (hashed) instead of `body`.
  std::filesystem::path body_file;
  // The most a 2xx response body may have, in memory or in body_file: one byte more stops
  // the transfer with a kNetwork error. Error bodies are capped at 64 KiB.
  std::uint64_t max_body_bytes = kMaxDocumentBytes;
  std::string progress_label;  // names the download on the progress bar; empty for none
  // When set, the bar follows the upload of `body` instead, named by this label.
  std::string upload_label;
};

struct HttpResponse {
  long status = 0;
  std::map<std::string, std::string> headers;  // lowercase names; the last value wins
  std::string body;                            // empty when streamed to body_file
  Download file;                               // size and sha256 of body_file

  std::string header(const std::string& lowercase_name) const;
};

class OciTransport {
 public:
  virtual ~OciTransport() = default;
  // Sends one request; GET and HEAD follow redirects (credentials are not sent to another
  // scheme, host or port; from https only to https). Any HTTP status is a successful
  // Result; transport failures (DNS, refused connection, stall, the deadline of
  // HttpSettings, a body past max_body_bytes) are kNetwork errors prefixed "METHOD URL: ".
  virtual Result<HttpResponse> send(const HttpRequest& request) = 0;
};

std::unique_ptr<OciTransport> make_curl_transport(
    const HttpSettings& settings = HttpSettings::from_env());

}  // namespace lmp::registry
