// HTTP(S) and file:// downloads. HttpClient is the test seam; CurlHttpClient is the real one.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include "common/result.h"

namespace lmp::registry {

// Small documents (index.json, package.json probes) fetched into memory are capped here.
inline constexpr std::size_t kMaxDocumentBytes = 64u * 1024 * 1024;

// The most a download whose size nobody declared (a URL, a legacy repository) may write,
// and the largest size an index or OCI descriptor may declare. LMP_MAX_DOWNLOAD_BYTES
// overrides it.
inline constexpr std::uint64_t kDefaultMaxDownloadBytes = 256ull * 1024 * 1024;
std::uint64_t max_download_bytes();

struct Download {
  std::uint64_t size = 0;
  std::string sha256;  // lowercase hex of the bytes written
};

class HttpClient {
 public:
  virtual ~HttpClient() = default;

  // GETs `url` into memory, at most `max_bytes`.
  virtual Result<std::string> fetch(const std::string& url,
                                    std::size_t max_bytes = kMaxDocumentBytes) = 0;

  // GETs `url` into `dest` (created or truncated), hashing while it streams, and stops
  // with an error at the first byte past `max_bytes` (counted after any Content-Encoding
  // is undone). `label` names the download on the progress bar; empty for none. On error
  // `dest` may hold a partial file: the caller owns and removes it.
  virtual Result<Download> fetch_to_file(const std::string& url, const std::filesystem::path& dest,
                                         std::string_view label, std::uint64_t max_bytes) = 0;
};

// Errors of both calls, one line each, prefixed "GET URL: ": DNS failures, refused
// connections, timeouts and dropped connections are kNetwork; HTTP 404/410 and missing
// file:// paths are kNotFound ("GET URL: HTTP 404 Not Found"); other HTTP statuses kNetwork;
// a body past its limit and a missed deadline are kNetwork too.
struct HttpSettings {
  long connect_timeout_ms = 10000;
  long stall_timeout_ms = 30000;  // abort when no byte arrives for this long
  long deadline_ms = 600000;      // abort a download (all its attempts) after this long
  int retries = 3;                // extra attempts after a transient failure
  long backoff_ms = 250;          // doubled after each attempt

  // Defaults, with LMP_HTTP_TIMEOUT_MS (connect and stall timeout, capped at the connect
  // default for connecting), LMP_HTTP_DEADLINE_MS and LMP_HTTP_RETRIES from the environment.
  static HttpSettings from_env();
};

// libcurl: redirects followed (at most 10; from https only to https), proxies from the
// environment (http_proxy, https_proxy, no_proxy), retries with exponential backoff on
// connection resets, partial files, empty replies, HTTP 429 and 5xx.
std::unique_ptr<HttpClient> make_curl_client(
    const HttpSettings& settings = HttpSettings::from_env());

}  // namespace lmp::registry
