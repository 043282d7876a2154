#include "registry/oci_transport.h"

#include <curl/curl.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <mutex>
#include <thread>

#include "common/log.h"
#include "registry/digest.h"
#include "registry/progress.h"

namespace lmp::registry {
namespace {

// Error bodies of registries are short JSON; more is not read.
inline constexpr std::size_t kMaxErrorBodyBytes = 64 * 1024;

struct CurlDeleterOciTransport {
  void operator()(CURL* c) const { curl_easy_cleanup(c); }
};
struct SlistDeleter {
  void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};
struct FileCloserOciTransport {
  void operator()(std::FILE* f) const { std::fclose(f); }
};

std::string lower_oci_transport(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == '\r' || s.back() == '\n' || s.back() == ' '))
    s.remove_suffix(1);
  return std::string(s);
}

// One attempt's state, seen by the curl callbacks.
struct Exchange {
  CURL* curl = nullptr;
  const HttpRequest* request = nullptr;
  HttpResponse response;
  std::unique_ptr<std::FILE, FileCloserOciTransport> file;
  Sha256 hash;
  ProgressBar* bar = nullptr;
  std::chrono::steady_clock::time_point deadline;
  bool past_deadline = false;
  std::string error;  // why a callback aborted
  bool decided = false;
  bool to_file = false;
};

size_t on_header(char* data, size_t size, size_t count, void* user) {
  auto* x = static_cast<Exchange*>(user);
  std::string_view line(data, size * count);
  if (line.starts_with("HTTP/")) {
    x->response.headers.clear();  // a new response (redirect or 100 Continue)
    return size * count;
  }
  std::size_t colon = line.find(':');
  if (colon != std::string_view::npos && x->response.headers.size() < 256)
    x->response.headers[lower_oci_transport(std::string(line.substr(0, colon)))] =
        trim(line.substr(colon + 1));
  return size * count;
}

size_t on_write_oci_transport(char* data, size_t size, size_t count, void* user) {
  auto* x = static_cast<Exchange*>(user);
  std::string_view bytes(data, size * count);
  if (!x->decided) {
    long status = 0;
    curl_easy_getinfo(x->curl, CURLINFO_RESPONSE_CODE, &status);
    x->to_file = !x->request->body_file.empty() && status >= 200 && status < 300;
    x->decided = true;
  }
  if (x->to_file) {
    if (bytes.size() > x->request->max_body_bytes ||
        x->response.file.size > x->request->max_body_bytes - bytes.size()) {
      x->error = "more than " + std::to_string(x->request->max_body_bytes) + " bytes; stopped";
      return 0;
    }
    if (std::fwrite(bytes.data(), 1, bytes.size(), x->file.get()) != bytes.size()) {
      x->error = "cannot write " + x->request->body_file.string();
      return 0;
    }
    x->hash.update(bytes);
    x->response.file.size += bytes.size();
    return bytes.size();
  }
  std::uint64_t cap =
      x->request->body_file.empty() ? x->request->max_body_bytes : kMaxErrorBodyBytes;
  if (x->response.body.size() + bytes.size() > cap) {
    x->error = "more than " + std::to_string(cap) + " bytes; stopped";
    return 0;
  }
  x->response.body.append(bytes);
  return bytes.size();
}

int on_progress_oci_transport(void* user, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
                              curl_off_t ulnow) {
  auto* x = static_cast<Exchange*>(user);
  if (std::chrono::steady_clock::now() >= x->deadline) {
    x->past_deadline = true;
    return 1;
  }
  if (!x->bar) return 0;
  if (!x->request->upload_label.empty())
    x->bar->update(static_cast<std::uint64_t>(ulnow), static_cast<std::uint64_t>(ultotal));
  else
    x->bar->update(static_cast<std::uint64_t>(dlnow), static_cast<std::uint64_t>(dltotal));
  return 0;
}

bool is_transient_oci_transport(CURLcode code) {
  return code == CURLE_RECV_ERROR || code == CURLE_SEND_ERROR || code == CURLE_PARTIAL_FILE ||
         code == CURLE_GOT_NOTHING;
}

class CurlTransport : public OciTransport {
 public:
  explicit CurlTransport(HttpSettings settings) : settings_(settings) {
    static std::once_flag once;
    std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
  }

  Result<HttpResponse> send(const HttpRequest& request) override {
    bool idempotent = request.method == "GET" || request.method == "HEAD";
    auto deadline =
        std::chrono::steady_clock::now() + std::chrono::milliseconds(settings_.deadline_ms);
    for (int attempt = 0;; ++attempt) {
      Exchange x;
      x.deadline = deadline;
      CURLcode code = CURLE_OK;
      std::string detail;
      LMP_CHECK(perform(request, x, code, detail));
      if (code == CURLE_OK) return std::move(x.response);
      std::string where = request.method + " " + request.url + ": ";
      if (x.past_deadline ||
          (code == CURLE_OPERATION_TIMEDOUT && std::chrono::steady_clock::now() >= deadline))
        return fail(
            ExitCode::kNetwork,
            where + "timed out: took longer than " + std::to_string(settings_.deadline_ms) + " ms",
            "the server is too slow; LMP_HTTP_DEADLINE_MS sets the limit");
      if (!x.error.empty()) return fail(ExitCode::kNetwork, where + x.error);
      if (!idempotent || attempt >= settings_.retries || !is_transient_oci_transport(code)) {
        std::string hint;
        if (code == CURLE_COULDNT_CONNECT) hint = "is the registry running?";
        if (code == CURLE_COULDNT_RESOLVE_HOST) hint = "check the registry host name";
        if (code == CURLE_SSL_CONNECT_ERROR || code == CURLE_PEER_FAILED_VERIFICATION)
          hint = "for a plain-http registry add it to LMP_INSECURE_REGISTRIES";
        return fail(ExitCode::kNetwork,
                    where + (detail.empty() ? curl_easy_strerror(code) : detail), hint);
      }
      long delay = settings_.backoff_ms << std::min(attempt, 6);
      log::debug(where + curl_easy_strerror(code) + ", retrying in " + std::to_string(delay) +
                 " ms");
      std::this_thread::sleep_for(std::chrono::milliseconds(delay));
    }
  }

 private:
  Result<void> perform(const HttpRequest& request, Exchange& x, CURLcode& code,
                       std::string& detail) {
    std::unique_ptr<CURL, CurlDeleterOciTransport> curl(curl_easy_init());
    if (!curl) return fail(ExitCode::kFailure, "cannot initialise libcurl");
    if (!request.body_file.empty()) {
      x.file.reset(std::fopen(request.body_file.c_str(), "wbe"));
      if (!x.file) return fail(ExitCode::kFailure, "cannot create " + request.body_file.string());
    }
    std::unique_ptr<curl_slist, SlistDeleter> headers;
    auto add_header = [&](const std::string& h) {
      headers.reset(curl_slist_append(headers.release(), h.c_str()));
    };
    for (const auto& [k, v] : request.headers) add_header(k + ": " + v);
    add_header("Expect:");
    bool upload = !request.upload_label.empty();
    ProgressBar bar{upload ? request.upload_label : request.progress_label,
                    upload ? "Uploaded" : "Downloaded"};
    char errbuf[CURL_ERROR_SIZE] = {};
    CURL* c = curl.get();
    x.curl = c;
    x.request = &request;
    x.bar = &bar;
    curl_easy_setopt(c, CURLOPT_URL, request.url.c_str());
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
    // Never from https down to http.
    curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR,
                     request.url.starts_with("https:") ? "https" : "http,https");
    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION,
                     request.method == "GET" || request.method == "HEAD" ? 1L : 0L);
    curl_easy_setopt(c, CURLOPT_MAXREDIRS, 10L);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, settings_.connect_timeout_ms);
    curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1L);
    curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, std::max(1L, settings_.stall_timeout_ms / 1000));
    // The progress callback enforces the deadline; this is the backstop.
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        x.deadline - std::chrono::steady_clock::now());
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS,
                     static_cast<long>(std::max<long long>(1, left.count())) + 1000L);
    curl_easy_setopt(c, CURLOPT_USERAGENT, "lmp/" LMP_REGISTRY_VERSION);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers.get());
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, &x);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_write_oci_transport);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &x);
    curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, on_progress_oci_transport);
    curl_easy_setopt(c, CURLOPT_XFERINFODATA, &x);
    if (request.method == "HEAD") {
      curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
    } else if (request.method != "GET") {
      curl_easy_setopt(c, CURLOPT_POSTFIELDS, request.body.data());
      curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE,
                       static_cast<curl_off_t>(request.body.size()));
      curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, request.method.c_str());
    }
    code = curl_easy_perform(c);
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &x.response.status);
    detail = errbuf;
    if (code == CURLE_OK && x.response.status >= 200 && x.response.status < 300)
      bar.finish(upload ? request.body.size() : x.response.file.size + x.response.body.size());
    if (x.file) {
      bool ok = std::fflush(x.file.get()) == 0 && ::fsync(fileno(x.file.get())) == 0;
      ok = std::fclose(x.file.release()) == 0 && ok;
      if (!ok && code == CURLE_OK)
        return fail(ExitCode::kFailure, "cannot write " + request.body_file.string());
      x.response.file.sha256 = x.hash.finish();
    }
    return {};
  }

  HttpSettings settings_;
};

}  // namespace

std::string HttpResponse::header(const std::string& lowercase_name) const {
  auto it = headers.find(lowercase_name);
  return it == headers.end() ? std::string() : it->second;
}

std::unique_ptr<OciTransport> make_curl_transport(const HttpSettings& settings) {
  return std::make_unique<CurlTransport>(settings);
}

}  // namespace lmp::registry
